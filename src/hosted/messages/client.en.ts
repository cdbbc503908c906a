// The camera script's strings (client helper's keys; this is the set the server-rendered pages need so far).
export const clientEn = {
  'client.camera.start': 'Use the camera',
  'client.camera.capture': 'Take the photo',
  'client.camera.retake': 'Take it again',
  'client.camera.denied': 'The camera is not available. Choose a photo file instead.',
  'client.progress.checking': 'Checking your photos…',
  'client.liveness.turn_left': 'Turn your head to the left',
  'client.liveness.turn_right': 'Turn your head to the right',
  'client.liveness.center': 'Look straight at the camera',
} as const;
