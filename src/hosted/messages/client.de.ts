import type { clientEn } from './client.en.js';

export const clientDe: Record<keyof typeof clientEn, string> = {
  'client.camera.start': 'Kamera verwenden',
  'client.camera.capture': 'Foto aufnehmen',
  'client.camera.retake': 'Noch einmal aufnehmen',
  'client.camera.denied': 'Die Kamera ist nicht verfügbar. Wählen Sie stattdessen eine Bilddatei.',
  'client.progress.checking': 'Ihre Fotos werden geprüft …',
  'client.liveness.turn_left': 'Drehen Sie den Kopf nach links',
  'client.liveness.turn_right': 'Drehen Sie den Kopf nach rechts',
  'client.liveness.center': 'Schauen Sie direkt in die Kamera',
};
