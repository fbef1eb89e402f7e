// Preact + hooks + htm in one ES module (htm's "standalone" build): JSX-like templates, no build step.
export { html, render, useState, useEffect, useRef, useCallback, useMemo } from '/console/vendor/htm/standalone.module.js';
