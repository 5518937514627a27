/** Shared look of the wall's charts (dark command-centre theme). */
export const axisLabel = { color: '#9dbcdc', fontSize: 13 };
export const axisLine = { lineStyle: { color: 'rgba(120, 180, 255, 0.35)' } };
export const splitLine = { lineStyle: { color: 'rgba(120, 180, 255, 0.12)' } };
export const tooltip = {
  trigger: 'axis',
  backgroundColor: 'rgba(6,20,44,0.92)',
  borderColor: '#2a6aa8',
  textStyle: { color: '#d8ecff' },
};
export const legend = {
  textStyle: { color: '#a9c8e8', fontSize: 12 },
  itemWidth: 12,
  itemHeight: 8,
  top: 0,
  right: 0,
};
