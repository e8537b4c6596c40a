// The page's worker: computes views off the main thread, so typing stays smooth while a million iterations run.
import { type ViewRequest, Viewer } from './compute.js';

const viewer = new Viewer();
self.onmessage = (ev: MessageEvent<ViewRequest>) => {
  postMessage(viewer.view(ev.data));
};
