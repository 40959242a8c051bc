/** The part of jStat (it publishes no types) that domain/experiments.ts uses. */
declare module "jstat" {
  const mod: {
    jStat: {
      normal: { cdf(x: number, mean: number, sd: number): number };
      studentt: { cdf(x: number, dof: number): number };
      chisquare: { cdf(x: number, dof: number): number };
    };
  };
  export default mod;
}
