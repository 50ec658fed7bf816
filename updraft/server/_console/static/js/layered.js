// A left-to-right layered layout in linear time, for graphs too large for dagre to lay out
// within the page's budget (dagre spends ~1 s on a 1,000-node chain on a small machine; this
// takes a few milliseconds). Ranks come from the longest path from a source, the order within
// a rank from one barycenter sweep; a rank with many nodes wraps into columns and a long run
// of ranks into bands, so a fan-out or a chain of 1,000 is a block rather than a line tens of
// thousands of pixels long. Nested (compound) nodes
// are not handled here: graphs with them are left to dagre.

/**
 * Positions by node id for nodes [{id}] and edges [{source, target}].
 * Options: nodeW/nodeH (node size), rankSep (between ranks), nodeSep (between nodes of a
 * rank), maxRows (nodes stacked in one column of a rank before it wraps).
 */
export function layeredPositions(nodes, edges, {
  nodeW = 150, nodeH = 34, rankSep = 46, nodeSep = 14, maxRows = 40,
} = {}) {
  const index = new Map(nodes.map((n, i) => [n.id, i]));
  const preds = nodes.map(() => []);
  const succs = nodes.map(() => []);
  const indegree = new Array(nodes.length).fill(0);
  for (const e of edges) {
    const s = index.get(e.source);
    const t = index.get(e.target);
    if (s === undefined || t === undefined || s === t) continue;
    preds[t].push(s);
    succs[s].push(t);
    indegree[t] += 1;
  }
  // Kahn's order; nodes left over (a cycle, which a workflow cannot have) keep rank 0.
  const rank = new Array(nodes.length).fill(0);
  const queue = [];
  for (let i = 0; i < nodes.length; i += 1) if (indegree[i] === 0) queue.push(i);
  for (let head = 0; head < queue.length; head += 1) {
    const v = queue[head];
    for (const w of succs[v]) {
      rank[w] = Math.max(rank[w], rank[v] + 1);
      indegree[w] -= 1;
      if (indegree[w] === 0) queue.push(w);
    }
  }
  const ranks = [];
  for (let i = 0; i < nodes.length; i += 1) (ranks[rank[i]] ||= []).push(i);
  // Order: the first rank as given, each next one by the mean position of its predecessors.
  const order = new Array(nodes.length).fill(0);
  ranks.forEach((members, r) => {
    if (!members) return;
    if (r > 0) {
      const key = (v) => (preds[v].length ? preds[v].reduce((sum, u) => sum + order[u], 0) / preds[v].length : 0);
      const keys = new Map(members.map((v) => [v, key(v)]));
      members.sort((a, b) => keys.get(a) - keys.get(b) || a - b);
    }
    members.forEach((v, i) => { order[v] = i; });
  });
  // Ranks flow left to right and, like lines of text, wrap into bands below each other once
  // a band is about as wide as the whole graph should be for a screen-shaped picture (a chain
  // of 1,000 becomes ~30 lines of ~30 nodes instead of one line 200,000 pixels long).
  const boxes = ranks.filter(Boolean).map((members) => {
    const columns = Math.ceil(members.length / maxRows);
    const rows = Math.min(members.length, maxRows);
    return {
      members, columns,
      width: columns * nodeW + (columns - 1) * nodeSep,
      height: rows * nodeH + (rows - 1) * nodeSep,
    };
  });
  const area = boxes.reduce((sum, b) => sum + (b.width + rankSep) * (b.height + rankSep), 0);
  const widest = boxes.reduce((m, b) => Math.max(m, b.width), 0);
  const maxWidth = Math.max(Math.sqrt(area * 2.5), widest * 1.5);
  const bands = [];
  let band = null;
  for (const box of boxes) {
    if (!band || (band.width > 0 && band.width + box.width > maxWidth)) {
      band = { boxes: [], width: 0, height: 0 };
      bands.push(band);
    }
    box.x = band.width;
    band.width += box.width + rankSep;
    band.height = Math.max(band.height, box.height);
    band.boxes.push(box);
  }
  const positions = new Map();
  let top = 0;
  for (const b of bands) {
    const middle = top + b.height / 2;
    for (const box of b.boxes) {
      box.members.forEach((v, i) => {
        const column = Math.floor(i / maxRows);
        const row = i % maxRows;
        positions.set(nodes[v].id, {
          x: box.x + column * (nodeW + nodeSep) + nodeW / 2,
          y: middle - box.height / 2 + row * (nodeH + nodeSep) + nodeH / 2,
        });
      });
    }
    top += b.height + rankSep * 2;
  }
  return positions;
}
