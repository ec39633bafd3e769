// Reads QR codes from the phone's camera: the browser's BarcodeDetector where it has one, else
// the vendored jsQR decoder on frames drawn to a canvas.

let stream = null;
let timer = null;

async function detector() {
  if ('BarcodeDetector' in window) {
    const formats = await window.BarcodeDetector.getSupportedFormats?.().catch(() => []);
    if (!formats || formats.includes('qr_code')) {
      const d = new window.BarcodeDetector({ formats: ['qr_code'] });
      return async (video) => (await d.detect(video))[0]?.rawValue || null;
    }
  }
  if (!window.jsQR) {
    await new Promise((resolve, reject) => {
      const s = document.createElement('script');
      s.src = '/assets/vendor/jsqr/jsQR.js';
      s.onload = resolve;
      s.onerror = reject;
      document.head.append(s);
    });
  }
  const canvas = document.createElement('canvas');
  const g = canvas.getContext('2d', { willReadFrequently: true });
  return async (video) => {
    if (!video.videoWidth) return null;
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    g.drawImage(video, 0, 0);
    const img = g.getImageData(0, 0, canvas.width, canvas.height);
    return window.jsQR(img.data, img.width, img.height, { inversionAttempts: 'dontInvert' })?.data || null;
  };
}

/** Whether this browser can open a camera at all. */
export const hasCamera = () => Boolean(navigator.mediaDevices?.getUserMedia);

/** Shows the rear camera in `video` and calls `onCode` with the first code read. */
export async function start(video, onCode) {
  const read = await detector();
  stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
  video.srcObject = stream;
  video.hidden = false;
  await video.play();
  const tick = async () => {
    const code = await read(video).catch(() => null);
    if (code) {
      stop(video);
      onCode(code);
    } else if (stream) {
      timer = setTimeout(tick, 200);
    }
  };
  tick();
}

export function stop(video) {
  clearTimeout(timer);
  stream?.getTracks().forEach((t) => t.stop());
  stream = null;
  video.srcObject = null;
  video.hidden = true;
}
