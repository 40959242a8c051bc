/** Loyalty-program metrics as pure definitions; app/metrics computes their counts in SQL. */
export * from "./nps.js";
export * from "./ratio.js";
export * from "./retention.js";
export * from "./rfm.js";
export * from "./value.js";
