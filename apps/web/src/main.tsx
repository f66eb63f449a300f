// Entry point: one SDK client for the page (SwitchboardProvider), toasts, and the app.

import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { SwitchboardProvider } from '@switchboard/react';
import { App } from './app';
import { ToastProvider } from './components/toasts';
import { CLIENT_TOPICS, SERVER_URL, TOKEN } from './lib/settings';
import './styles.css';

const options = { topics: CLIENT_TOPICS, ...(TOKEN ? { token: TOKEN } : {}) };

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <SwitchboardProvider url={SERVER_URL} options={options}>
      <ToastProvider>
        <App />
      </ToastProvider>
    </SwitchboardProvider>
  </StrictMode>,
);
