// Colours and names of the map's layers, shared by the map and its legend
// (kept apart so the legend does not pull maplibre in).

export const AREA_COLOURS = {
  inspection_area: '#c0392b',
  waiting_area: '#b7791f',
  anchorage: '#8e44ad',
  port_approach: '#1e8449',
};
export const AREA_LABELS = {
  inspection_area: 'Inspection area',
  waiting_area: 'Waiting area',
  anchorage: 'Anchorage',
  port_approach: 'Port approach',
};
export const STATE_COLOURS = {
  inside: '#0b5cad',
  deviating: '#d35400',
  outside: '#555555',
  unknown: '#888888',
};
