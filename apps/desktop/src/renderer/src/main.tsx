import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { consoleApi } from './api';
import { App } from './App';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App api={consoleApi()} />
  </StrictMode>,
);
