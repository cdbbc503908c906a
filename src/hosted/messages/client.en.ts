// The client script's visible strings (English). The page renders every `client.*` key of its locale into the
// #kp-messages JSON block; the script reads its text only from there. `{name}` marks a placeholder.
export const clientEn = {
  'client.camera.use': 'Use camera',
  'client.camera.starting': 'Starting the camera…',
  'client.camera.unavailable': 'This browser cannot use a camera here. Choose a photo with the file field instead.',
  'client.camera.denied': 'The camera could not be opened (permission refused or no camera). Choose a photo with the file field instead.',
  'client.camera.view.document': 'Camera view: hold the document inside the frame.',
  'client.camera.view.selfie': 'Camera view: keep your face inside the oval.',
  'client.camera.hint.document': 'Hold the document flat inside the frame, in good light and without glare.',
  'client.camera.hint.selfie': 'Look straight at the camera with your face inside the oval, in good light.',
  'client.camera.take': 'Take photo',
  'client.camera.cancel': 'Cancel',
  'client.camera.retake': 'Retake',
  'client.camera.accept': 'Use this photo',
  'client.camera.check': 'Photo taken. Check that it is sharp and readable, then use it or retake it.',
  'client.camera.photo_alt': 'The photo you just took',
  'client.camera.added': 'Photo added. Send it with the button below.',
  'client.camera.failed': 'The photo could not be taken. Try again, or choose a file instead.',
  'client.liveness.start': 'Start recording',
  'client.liveness.intro': 'You will be asked to move your head. Follow each instruction slowly.',
  'client.liveness.ready': 'Look straight at the camera.',
  'client.liveness.step': 'Step {n} of {total}: {instruction}',
  'client.liveness.turn_left': 'Turn your head slowly to your left.',
  'client.liveness.turn_right': 'Turn your head slowly to your right.',
  'client.liveness.center': 'Look straight at the camera again.',
  'client.liveness.done': 'All steps recorded ({count} frames). Send them with the button below.',
  'client.liveness.again': 'Record again',
  'client.progress.waiting': 'Still checking. This usually takes a few seconds.',
  'client.progress.done': 'Finished. Taking you to the result…',
  'client.progress.retry': 'Could not reach the server. Trying again…',
} as const;

export type ClientMessageKey = keyof typeof clientEn;
