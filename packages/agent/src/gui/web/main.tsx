// Entry point of the GUI bundle (scripts/build-gui.mjs): mounts the app on #app.
import { render } from 'preact';
import { App } from './app.js';
import './styles.css';

const root = document.getElementById('app');
if (root) render(<App />, root);
