// The page's look, injected once by app.ts (kept in TypeScript so tsc ships it with the page's code).
export const STYLE = `
:root { font: 14px/1.4 system-ui, sans-serif; color: #1d2430; background: #f4f6f9; }
body { margin: 0; }
header { display: flex; gap: 1.5rem; align-items: center; padding: .6rem 1rem; background: #1d2430; color: #fff; }
header h1 { font-size: 1.05rem; margin: 0; font-weight: 600; }
header nav button { background: none; color: #cfd6e0; border: 0; padding: .35rem .7rem; cursor: pointer; font: inherit; border-radius: 4px; }
header nav button.on { background: #3b4a61; color: #fff; }
header .live { margin-left: auto; font-size: .85rem; color: #9fe3b0; }
header .live.off { color: #f3a0a0; }
main { padding: 1rem; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(300px, 1fr)); gap: .8rem; }
.card { background: #fff; border-radius: 6px; box-shadow: 0 1px 2px #0002; padding: .6rem; }
.card h3 { margin: 0 0 .4rem; font-size: .95rem; display: flex; justify-content: space-between; }
.state { font-size: .8rem; padding: .05rem .45rem; border-radius: 9px; background: #ddd; }
.state.connected { background: #c9f1d3; color: #17632c; }
.state.retrying, .state.failed { background: #f9d3d3; color: #8a1c1c; }
.state.connecting, .state.ended { background: #f1e7c9; color: #6b5510; }
.snap { position: relative; background: #000; aspect-ratio: 16 / 9; }
.snap img, .snap svg { position: absolute; inset: 0; width: 100%; height: 100%; }
.snap svg rect { fill: none; stroke: #3cf06c; stroke-width: 2; vector-effect: non-scaling-stroke; }
.snap svg text { fill: #3cf06c; font-size: 14px; }
.muted { color: #6b7585; font-size: .85rem; }
.group { margin-bottom: 1.2rem; }
.group h2 { font-size: 1rem; margin: .2rem 0 .5rem; }
.pager { display: flex; gap: .4rem; align-items: center; margin: .6rem 0; }
table { border-collapse: collapse; width: 100%; background: #fff; }
td, th { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid #e4e8ee; vertical-align: middle; }
.thumb { width: 48px; height: 48px; object-fit: cover; border-radius: 4px; background: #ccd; }
.cols { display: grid; grid-template-columns: minmax(0, 1fr) 320px; gap: 1rem; align-items: start; }
.graph svg { background: #fff; border-radius: 6px; box-shadow: 0 1px 2px #0002; }
.graph .tier > rect { fill: #eef2f7; stroke: #c6cfdb; }
.graph .node > rect { fill: #fff; stroke: #8e9bb0; }
.graph .node.down > rect { fill: #fde8e8; stroke: #c0392b; stroke-width: 2; }
.graph .op > rect { fill: #e7f0ff; stroke: #4a78c2; }
.graph .src > rect { fill: #fff6dc; stroke: #b98b14; }
.graph text { font-size: 11px; fill: #1d2430; }
.graph .label { font-weight: 600; }
.graph path { fill: none; stroke: #6b7585; stroke-width: 1.2; marker-end: url(#arrow); }
.graph .topic { fill: #5a4bb0; font-size: 10px; }
.graph .uses { fill: #6b7585; font-weight: 400; }
.graph { overflow: auto; }
.error { color: #a11; }
input[type=text] { font: inherit; padding: .2rem .4rem; width: 9rem; }
button.act { font: inherit; padding: .2rem .6rem; cursor: pointer; }
`;
