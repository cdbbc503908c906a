// The enrolment QR code as inline SVG, drawn on the server: no script, no image request, nothing leaves the page.
// One path of 1×1 squares on a white quiet zone; CSS scales it (the page's CSP forbids inline styles).
import qrcode from 'qrcode-generator';

const QUIET = 4;

export function qrSvg(text: string, label: string): string {
  // Level M: an otpauth URI of a 160-bit secret fits in a version small enough for any phone camera.
  const qr = qrcode(0, 'M');
  qr.addData(text, 'Byte');
  qr.make();
  const n = qr.getModuleCount();
  let d = '';
  for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) if (qr.isDark(r, c)) d += `M${c + QUIET} ${r + QUIET}h1v1h-1z`;
  const size = n + 2 * QUIET;
  const title = label.replace(/[<>&"]/g, '');
  return `<svg xmlns="http://www.w3.org/2000/svg" class="qr" viewBox="0 0 ${size} ${size}" width="200" height="200" shape-rendering="crispEdges" role="img" aria-label="${title}"><rect width="${size}" height="${size}" fill="#fff"/><path fill="#000" d="${d}"/></svg>`;
}
