//! The "delivered before" graph of ordered messages: an edge from each
//! delivery to the next in each processor's sequence. One total order exists
//! exactly when this graph has no cycle. Everything is iterative: histories
//! have 100k deliveries, too deep for recursion.

use super::index::Msg;

pub(super) struct Graph {
    fwd_start: Vec<usize>,
    /// (target, process whose deliveries gave the edge)
    fwd: Vec<(Msg, u32)>,
    bwd_start: Vec<usize>,
    bwd: Vec<Msg>,
}

impl Graph {
    /// A graph on messages `0..n` from (from, to, process) edges.
    pub fn new(n: usize, edges: &[(Msg, Msg, u32)]) -> Graph {
        let mut fwd_start = vec![0usize; n + 1];
        let mut bwd_start = vec![0usize; n + 1];
        for &(a, b, _) in edges {
            fwd_start[a as usize + 1] += 1;
            bwd_start[b as usize + 1] += 1;
        }
        for v in 0..n {
            fwd_start[v + 1] += fwd_start[v];
            bwd_start[v + 1] += bwd_start[v];
        }
        let mut fwd = vec![(0, 0); edges.len()];
        let mut bwd = vec![0; edges.len()];
        let mut fnext = fwd_start.clone();
        let mut bnext = bwd_start.clone();
        for &(a, b, p) in edges {
            fwd[fnext[a as usize]] = (b, p);
            fnext[a as usize] += 1;
            bwd[bnext[b as usize]] = a;
            bnext[b as usize] += 1;
        }
        Graph { fwd_start, fwd, bwd_start, bwd }
    }

    fn len(&self) -> usize {
        self.fwd_start.len() - 1
    }

    pub fn successors(&self, v: Msg) -> &[(Msg, u32)] {
        &self.fwd[self.fwd_start[v as usize]..self.fwd_start[v as usize + 1]]
    }

    pub fn predecessors(&self, v: Msg) -> &[Msg] {
        &self.bwd[self.bwd_start[v as usize]..self.bwd_start[v as usize + 1]]
    }

    /// One cycle as its edges (from, to, process), if there is any.
    pub fn find_cycle(&self) -> Option<Vec<(Msg, Msg, u32)>> {
        let n = self.len();
        // Kahn: peel off messages with no remaining predecessor.
        let mut indegree = vec![0u32; n];
        for &(b, _) in &self.fwd {
            indegree[b as usize] += 1;
        }
        let mut ready: Vec<Msg> = (0..n as Msg).filter(|&v| indegree[v as usize] == 0).collect();
        let mut removed = vec![false; n];
        while let Some(v) = ready.pop() {
            removed[v as usize] = true;
            for &(w, _) in self.successors(v) {
                indegree[w as usize] -= 1;
                if indegree[w as usize] == 0 {
                    ready.push(w);
                }
            }
        }
        let start = (0..n as Msg).find(|&v| !removed[v as usize])?;
        // Every message left has a predecessor left: walking predecessors
        // must come back to a message already on the path.
        let mut on_path = vec![usize::MAX; n];
        let mut path: Vec<Msg> = Vec::new();
        let mut v = start;
        while on_path[v as usize] == usize::MAX {
            on_path[v as usize] = path.len();
            path.push(v);
            v = *self.predecessors(v).iter().find(|&&u| !removed[u as usize])?;
        }
        // path[at..] walks backwards along the cycle; turn it around.
        let mut cycle: Vec<Msg> = path[on_path[v as usize]..].to_vec();
        cycle.reverse();
        let edges = (0..cycle.len())
            .map(|i| {
                let (a, b) = (cycle[i], cycle[(i + 1) % cycle.len()]);
                let p = self.successors(a).iter().find(|&&(w, _)| w == b).map_or(0, |&(_, p)| p);
                (a, b, p)
            })
            .collect();
        Some(edges)
    }
}
