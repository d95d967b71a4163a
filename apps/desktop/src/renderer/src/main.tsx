import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { consoleApi } from './api';
import { App } from './App';
import { Prompt } from './views/Prompt';

/** `#prompt=ID`: the desktop app's prompt window for one approval; otherwise the whole console. */
const prompt = /^#prompt=(.+)$/.exec(window.location.hash);
const api = consoleApi();

createRoot(document.getElementById('root')!).render(
  <StrictMode>{prompt === null ? <App api={api} /> : <Prompt api={api} id={decodeURIComponent(prompt[1]!)} />}</StrictMode>,
);
