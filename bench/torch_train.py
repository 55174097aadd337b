"""PyTorch baseline for `sdl bench train`: the same graph network, trained the same way.

The network is the one of Cranmer et al. (2020) as `sdl bench train` builds it: edge MLP
[x_i, x_j] -> hidden x layers (ReLU) -> message, messages summed per receiver, node MLP
[x_i, sum] -> hidden x layers (ReLU) -> acceleration; MAE loss plus the message penalty
(L1: weight * sum |m| / edges; KL: weight * sum (exp(logvar) + mu^2 - logvar) / 2 / edges;
bottleneck: message size = dim); Adam (lr 1e-3, weight decay 1e-8) with PyTorch's OneCycleLR
(max lr 1e-3); the N(0, 3^2) translation augmentation; batch 64 graphs.

Data: `--data FILE.npz` reads the graphs `sdl bench train --export FILE.npz` (or
`save(graphs, "FILE.npz")` in sdl) writes: arrays `nodes` [graphs, n, 2 dim + 2], `accel`
[graphs, n, dim] and `law` (the law's name as bytes). Without `--data`, standard normal graphs
are used (enough for throughput).

Prints `graphs_per_s=X` and, with data of a law it knows (spring, r1, r2, charge),
`table1_r2=Y` (R^2 of a linear fit of the true pair force components to the top-dim message
channels, averaged over channels; 1000 graphs).

Usage: python3 bench/torch_train.py --data spring.npz --steps 1000 --threads 2 --penalty l1
"""
import argparse
import time

import numpy as np
import torch
from torch import nn


def mlp(d_in, hidden, layers, d_out):
    mods, width = [], d_in
    for _ in range(layers):
        mods += [nn.Linear(width, hidden), nn.ReLU()]
        width = hidden
    mods.append(nn.Linear(width, d_out))
    return nn.Sequential(*mods)


class GraphNet(nn.Module):
    def __init__(self, n, features, dim, hidden, layers, msg, kl):
        super().__init__()
        self.kl = kl
        self.msg = msg
        self.edge = mlp(2 * features, hidden, layers, 2 * msg if kl else msg)
        self.node = mlp(features + msg, hidden, layers, dim)
        recv = [i for i in range(n) for j in range(n) if j != i]
        send = [j for i in range(n) for j in range(n) if j != i]
        self.register_buffer("recv", torch.tensor(recv))
        self.register_buffer("send", torch.tensor(send))

    def forward(self, x, sample):
        b, n, f = x.shape
        e = self.recv.numel()
        xi, xj = x[:, self.recv], x[:, self.send]
        raw = self.edge(torch.cat([xi, xj], 2).reshape(b * e, 2 * f)).reshape(b, e, -1)
        mu = logvar = None
        if self.kl:
            mu, logvar = raw[..., 0::2], raw[..., 1::2]
            m = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu) if sample else mu
        else:
            m = raw
        agg = torch.zeros(b, n, m.shape[2], dtype=m.dtype).index_add_(1, self.recv, m)
        out = self.node(torch.cat([x, agg], 2).reshape(b * n, -1)).reshape(b, n, -1)
        return out, m, mu, logvar


def pair_force(law, xi, xj, dim):
    d = xj[:, :dim] - xi[:, :dim]
    r = np.sqrt((d ** 2).sum(1, keepdims=True))
    rs = r + 0.01
    qi, qj = xi[:, 2 * dim:2 * dim + 1], xj[:, 2 * dim:2 * dim + 1]
    mi, mj = xi[:, 2 * dim + 1:2 * dim + 2], xj[:, 2 * dim + 1:2 * dim + 2]
    u = d / np.maximum(r, 1e-300)
    if law == "spring":
        mag = 2 * (rs - 1)
    elif law == "r1":
        mag = mi * mj / rs
    elif law == "r2":
        mag = mi * mj / rs ** 2
    elif law == "charge":
        mag = -qi * qj / rs ** 2
    else:
        return None
    return mag * u


def r_squared(xs, y):
    a = np.column_stack([np.ones(len(y))] + list(xs))
    beta, *_ = np.linalg.lstsq(a, y, rcond=None)
    res = y - a @ beta
    tot = ((y - y.mean()) ** 2).sum()
    return max(0.0, min(1.0, 1 - (res ** 2).sum() / tot)) if tot > 0 else 0.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data")
    ap.add_argument("--steps", type=int, default=1000)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--hidden", type=int, default=300)
    ap.add_argument("--layers", type=int, default=3)
    ap.add_argument("--msg", type=int, default=100)
    ap.add_argument("--penalty", default="l1", choices=["none", "l1", "kl", "bottleneck"])
    ap.add_argument("--weight", type=float, default=1e-2)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--n", type=int, default=4)
    ap.add_argument("--dim", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)

    law = None
    if args.data:
        z = np.load(args.data)
        nodes, accel = z["nodes"].astype(np.float32), z["accel"].astype(np.float32)
        law = bytes(z["law"]).decode() if "law" in z else None
    else:
        nodes = rng.standard_normal((10000, args.n, 2 * args.dim + 2)).astype(np.float32)
        accel = rng.standard_normal((10000, args.n, args.dim)).astype(np.float32)
    g, n, f = nodes.shape
    dim = accel.shape[2]
    msg = dim if args.penalty == "bottleneck" else args.msg
    net = GraphNet(n, f, dim, args.hidden, args.layers, msg, args.penalty == "kl")
    opt = torch.optim.Adam(net.parameters(), lr=1e-3, weight_decay=1e-8)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=1e-3, total_steps=args.steps)
    x_all, y_all = torch.from_numpy(nodes), torch.from_numpy(accel)

    start = time.perf_counter()
    for _ in range(args.steps):
        idx = torch.from_numpy(rng.integers(0, g, args.batch))
        x = x_all[idx].clone()
        x[:, :, :dim] += torch.from_numpy(rng.normal(0, 3, (args.batch, 1, dim)).astype(np.float32))
        out, m, mu, logvar = net(x, True)
        loss = (out - y_all[idx]).abs().mean()
        edges = args.batch * net.recv.numel()
        if args.penalty == "l1":
            loss = loss + args.weight * m.abs().sum() / edges
        elif args.penalty == "kl":
            loss = loss + args.weight * (torch.exp(logvar) + mu ** 2 - logvar).sum() / 2 / edges
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
    elapsed = time.perf_counter() - start
    print(f"final_loss={loss.item():.6f}")
    print(f"graphs_per_s={args.steps * args.batch / elapsed:.1f}")

    if law is not None:
        with torch.no_grad():
            sample = x_all[: min(1000, g)]
            _, m, _, _ = net(sample, False)
        m = m.reshape(-1, m.shape[2]).numpy().astype(np.float64)
        recv, send = net.recv.numpy(), net.send.numpy()
        s = sample.numpy().astype(np.float64)
        xi = s[:, recv].reshape(-1, f)
        xj = s[:, send].reshape(-1, f)
        force = pair_force(law, xi, xj, dim)
        if force is not None:
            top = np.argsort(-m.std(0), kind="stable")[:dim]
            r2 = np.mean([r_squared([force[:, c] for c in range(dim)], m[:, k]) for k in top])
            print(f"table1_r2={r2:.4f}")


if __name__ == "__main__":
    main()
