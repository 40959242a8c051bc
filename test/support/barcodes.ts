import {
  BarcodeFormat,
  BinaryBitmap,
  DecodeHintType,
  HybridBinarizer,
  MultiFormatReader,
  RGBLuminanceSource,
} from "@zxing/library";
import * as jsQRModule from "jsqr";
import { PNG } from "pngjs";

// jsqr is CommonJS typed as an ES default export: under NodeNext the default import is the module itself.
const jsQR = jsQRModule.default as unknown as typeof jsQRModule.default.default;

/**
 * Reads a card picture the way a till scanner and a phone camera would:
 * the 1D barcode with ZXing (Code 128 or EAN-13, whichever is there) and the
 * QR with jsQR — both pure JS, on the PNG's pixels.
 */
export function readCardPicture(png: Buffer): { barcode: string; format: string; qr: string | null } {
  const img = PNG.sync.read(png);
  const luminance = new Uint8ClampedArray(img.width * img.height);
  for (let i = 0; i < luminance.length; i++) {
    const r = img.data[i * 4] ?? 0;
    const g = img.data[i * 4 + 1] ?? 0;
    const b = img.data[i * 4 + 2] ?? 0;
    luminance[i] = (r + 2 * g + b) >> 2;
  }
  const reader = new MultiFormatReader();
  // A till scanner set up for the card reads Code 128 only. The hints go to
  // decode() itself: decode(image) without them resets the reader to every
  // format, and then zxing now and then "finds" an EAN-8 in the QR.
  const hints = new Map<DecodeHintType, unknown>([
    [DecodeHintType.POSSIBLE_FORMATS, [BarcodeFormat.CODE_128]],
    [DecodeHintType.TRY_HARDER, true],
  ]);
  const result = reader.decode(
    new BinaryBitmap(new HybridBinarizer(new RGBLuminanceSource(luminance, img.width, img.height))),
    hints,
  );
  const qr = jsQR(new Uint8ClampedArray(img.data), img.width, img.height);
  return { barcode: result.getText(), format: BarcodeFormat[result.getBarcodeFormat()] ?? "?", qr: qr?.data ?? null };
}
