// Colours come from the stylesheet's custom properties, so the charts and the page cannot drift apart.

const read = (style, name) => style.getPropertyValue(name).trim();

/** The palette of dashboard.css, plus a colour per flush trigger. */
export const readTheme = () => {
  const style = getComputedStyle(document.documentElement);
  const theme = {
    text: read(style, '--text'),
    muted: read(style, '--muted'),
    edge: read(style, '--panel-edge'),
    accent: read(style, '--accent'),
    good: read(style, '--good'),
    warn: read(style, '--warn'),
    bad: read(style, '--bad'),
    violet: read(style, '--violet'),
    sans: read(style, '--sans'),
  };
  return {
    ...theme,
    triggers: { size: theme.good, timeout: theme.warn, pressure: theme.accent, shutdown: theme.violet },
  };
};

/** `#38bdf8` at the given opacity, for fills under lines. */
export const withAlpha = (hex, alpha) => {
  const value = Number.parseInt(hex.replace('#', ''), 16);
  return `rgba(${(value >> 16) & 255}, ${(value >> 8) & 255}, ${value & 255}, ${alpha})`;
};

/** Chart.js settings every chart shares: the dark palette, and no animation on live updates. */
export const applyChartDefaults = (Chart, theme) => {
  Chart.defaults.color = theme.muted;
  Chart.defaults.borderColor = withAlpha('#ffffff', 0.07);
  Chart.defaults.font.family = theme.sans;
  Chart.defaults.font.size = 11;
  Chart.defaults.maintainAspectRatio = false;
  // A chart redrawn every second should not replay its entry animation each time.
  Chart.defaults.animation = false;
  Chart.defaults.plugins.legend.display = false;
  Chart.defaults.plugins.tooltip.backgroundColor = '#0f172a';
  Chart.defaults.plugins.tooltip.borderColor = theme.edge;
  Chart.defaults.plugins.tooltip.borderWidth = 1;
};
