#!/usr/bin/python3
"""Independent PyTorch reference for Stepwise's residual attention UNet.

The net of engine/models/resunet.h, in the manner of openai/guided-diffusion's
UNetModel (Dhariwal & Nichol 2021), written with plain PyTorch modules whose
state_dict keys are the tensor names the C engine uses.  Every parameter of a
fresh initialisation is perturbed (the zero-initialised convolutions and
projections included, so that every gradient is non-trivial), then one forward,
MSE loss and backward are dumped into small safetensors fixtures that
tests/test-resunet.c compares against.

Regenerate the fixtures (deterministic; overwrites the files in place):

    /usr/bin/python3 tests/reference/resunet_reference.py

Use Debian's /usr/bin/python3 with python3-torch; the safetensors format is
written by hand (unet_reference.py's writer).

Benchmark mode (what `stepwise-cli bench` runs for its stage I line, beside
the engine's figure for the same net, batch and prompts):

    /usr/bin/python3 tests/reference/resunet_reference.py --bench \
        --config '{"width": 64, ...}' --batch 64 --seconds 3 --threads 2

times training steps (forward, MSE, backward, Adam) of a fresh net of that
config (config()'s keys; the vocabulary's size is "vocab") on random images
and timesteps, with stage1_bags as prompts, and prints one JSON line:
images_per_s, ms_per_step, steps, threads, torch, peak_rss_mib.

Outputs (in the directory of this script), each recording its config in
__metadata__ as the model file does (resunet.* keys):
    resunet-pool-16.safetensors   16x16x3, 2 levels, attention at level 1,
                                  pooled word embeddings, N=3
    resunet-cross-12.safetensors  12x12x1, 3 levels, attention at level 1,
                                  pooled words and cross-attention, N=3
    resunet-uncond-8.safetensors  8x8x3, 1 level, no prompt, N=2
    resunet-sr-16.safetensors     16x16x3 with 3 conditioning channels and
                                  the noise level's embedding (stage II),
                                  2 levels, attention at level 1, no prompt, N=2

Tensor names (all F32):
    param.<key>   every parameter before the step
    input.x       (N,C,H,W) ~ randn
    input.t       (N) timesteps, uniform in [0, 1000)
    input.c       (N,vocab) bags of words, 1/k on each of k words (prompt nets)
    input.cond    (N,cond_channels,H,W) ~ randn, the conditioning image (stage II)
    input.s       (N) its noise levels, uniform in [0, 250) (with aug)
    target        (N,C,H,W) ~ randn
    output        forward output
    loss          [1] F.mse_loss(output, target)
    grad.<key>    d loss / d param for every parameter
"""

import math
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from unet_reference import save_safetensors  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def timestep_embedding(t, dim):
    """cos then sin of t at frequencies 10000^(-i/half), in double."""
    half = dim // 2
    freqs = torch.exp(-math.log(10000.0) *
                      torch.arange(half, dtype=torch.float64) / half)
    args = t.double()[:, None] * freqs[None]
    return torch.cat([torch.cos(args), torch.sin(args)], dim=1).float()


class ResBlock(nn.Module):
    def __init__(self, cin, cout, tdim, groups, dropout):
        super().__init__()
        self.in_layers = nn.Sequential(nn.GroupNorm(groups, cin), nn.SiLU(),
                                       nn.Conv2d(cin, cout, 3, padding=1))
        self.emb_layers = nn.Sequential(nn.SiLU(), nn.Linear(tdim, 2 * cout))
        self.out_layers = nn.Sequential(nn.GroupNorm(groups, cout), nn.SiLU(),
                                        nn.Dropout(dropout),
                                        nn.Conv2d(cout, cout, 3, padding=1))
        if cin != cout:
            self.skip_connection = nn.Conv2d(cin, cout, 1)
        else:
            self.skip_connection = nn.Identity()

    def forward(self, x, emb):
        h = self.in_layers(x)
        scale, shift = self.emb_layers(emb)[:, :, None, None].chunk(2, dim=1)
        h = self.out_layers[0](h) * (1 + scale) + shift   # AdaGN
        for m in self.out_layers[1:]:
            h = m(h)
        return self.skip_connection(x) + h


def attend(q, k, v, keep=None):
    """q (B, heads, d, T), k and v (B, heads, d, S) -> (B, heads, d, T);
    keep (B, S) bool masks keys out; a sample keeping none gets 0."""
    w = torch.einsum('bhdt,bhds->bhts', q, k) / math.sqrt(q.shape[2])
    if keep is not None:
        some = keep.any(dim=1)
        safe = keep | ~some[:, None]
        w = w.masked_fill(~safe[:, None, None, :], float('-inf'))
        w = torch.softmax(w, dim=-1) * some.float()[:, None, None, None]
    else:
        w = torch.softmax(w, dim=-1)
    return torch.einsum('bhts,bhds->bhdt', w, v)


class AttentionBlock(nn.Module):
    def __init__(self, C, heads, groups):
        super().__init__()
        self.heads = heads
        self.norm = nn.GroupNorm(groups, C)
        self.qkv = nn.Conv2d(C, 3 * C, 1)
        self.proj_out = nn.Conv2d(C, C, 1)

    def forward(self, x):
        B, C, H, W = x.shape
        qkv = self.qkv(self.norm(x)).reshape(B, 3, self.heads, C // self.heads, H * W)
        a = attend(qkv[:, 0], qkv[:, 1], qkv[:, 2])
        return x + self.proj_out(a.reshape(B, C, H, W))


class CrossAttentionBlock(nn.Module):
    def __init__(self, C, E, heads, groups):
        super().__init__()
        self.heads = heads
        self.norm = nn.GroupNorm(groups, C)
        self.q = nn.Conv2d(C, C, 1)
        self.kv = nn.Linear(E, 2 * C)
        self.proj_out = nn.Conv2d(C, C, 1)

    def forward(self, x, words, keep):
        B, C, H, W = x.shape
        d = C // self.heads
        q = self.q(self.norm(x)).reshape(B, self.heads, d, H * W)
        kv = self.kv(words)                                  # (B, L, 2C)
        kv = kv.reshape(B, -1, 2, self.heads, d).permute(2, 0, 3, 4, 1)
        a = attend(q, kv[0], kv[1], keep)
        return x + self.proj_out(a.reshape(B, C, H, W))


class Downsample(nn.Module):
    def __init__(self, C):
        super().__init__()
        self.op = nn.Conv2d(C, C, 3, stride=2, padding=1)

    def forward(self, x):
        return self.op(x)


class Upsample(nn.Module):
    def __init__(self, C):
        super().__init__()
        self.conv = nn.Conv2d(C, C, 3, padding=1)

    def forward(self, x):
        return self.conv(F.interpolate(x, scale_factor=2, mode='nearest'))


class ResUNet(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        width, tdim, groups = cfg['width'], cfg['time_dim'], cfg['groups']
        heads, drop, E = cfg['heads'], cfg['dropout'], cfg['embed_dim']
        mult, levels = cfg['mult'], len(cfg['mult'])

        self.time_embed = nn.Sequential(nn.Linear(width, tdim), nn.SiLU(),
                                        nn.Linear(tdim, tdim))
        if cfg['vocab']:
            self.embed = nn.Embedding(cfg['vocab'], E)
        if cfg['pool']:
            self.label_proj = nn.Linear(E, tdim)
        if cfg['aug']:
            # the conditioning image's noise level: a second time embedding
            self.aug_embed = nn.Sequential(nn.Linear(width, tdim), nn.SiLU(),
                                           nn.Linear(tdim, tdim))

        def attention(ch):
            mods = [AttentionBlock(ch, heads, groups)]
            if cfg['cross']:
                mods.append(CrossAttentionBlock(ch, E, heads, groups))
            return mods

        ch = width * mult[0]
        self.input_blocks = nn.ModuleList(
            [nn.ModuleList([nn.Conv2d(cfg['channels'] + cfg['cond_channels'], ch, 3,
                                      padding=1)])])
        chans = [ch]
        for level in range(levels):
            for _ in range(cfg['blocks']):
                mods = [ResBlock(ch, width * mult[level], tdim, groups, drop)]
                ch = width * mult[level]
                if level in cfg['attn']:
                    mods += attention(ch)
                self.input_blocks.append(nn.ModuleList(mods))
                chans.append(ch)
            if level != levels - 1:
                self.input_blocks.append(nn.ModuleList([Downsample(ch)]))
                chans.append(ch)
        self.middle_block = nn.ModuleList(
            [ResBlock(ch, ch, tdim, groups, drop)] + attention(ch) +
            [ResBlock(ch, ch, tdim, groups, drop)])
        self.output_blocks = nn.ModuleList()
        for level in reversed(range(levels)):
            for i in range(cfg['blocks'] + 1):
                ich = chans.pop()
                mods = [ResBlock(ch + ich, width * mult[level], tdim, groups, drop)]
                ch = width * mult[level]
                if level in cfg['attn']:
                    mods += attention(ch)
                if level and i == cfg['blocks']:
                    mods.append(Upsample(ch))
                self.output_blocks.append(nn.ModuleList(mods))
        self.out = nn.Sequential(nn.GroupNorm(groups, ch), nn.SiLU(),
                                 nn.Conv2d(ch, cfg['channels'], 3, padding=1))

    def prompt_words(self, c):
        """the first max_words words of each bag, in vocabulary order"""
        L = self.cfg['max_words']
        ids = torch.zeros(c.shape[0], L, dtype=torch.long)
        keep = torch.zeros(c.shape[0], L, dtype=torch.bool)
        for n in range(c.shape[0]):
            present = torch.nonzero(c[n]).flatten()[:L]
            ids[n, :len(present)] = present
            keep[n, :len(present)] = True
        return self.embed(ids) * keep[:, :, None].float(), keep

    def run(self, blocks, h, emb, words, keep):
        for m in blocks:
            if isinstance(m, ResBlock):
                h = m(h, emb)
            elif isinstance(m, CrossAttentionBlock):
                h = m(h, words, keep)
            else:
                h = m(h)
        return h

    def forward(self, x, t, c=None, cond=None, s=None):
        emb = self.time_embed(timestep_embedding(t, self.cfg['width']))
        if self.cfg['aug']:
            emb = emb + self.aug_embed(timestep_embedding(s, self.cfg['width']))
        if self.cfg['cond_channels']:
            x = torch.cat([x, cond], dim=1)
        if self.cfg['pool']:
            emb = emb + self.label_proj(c @ self.embed.weight)
        words = keep = None
        if self.cfg['cross']:
            words, keep = self.prompt_words(c)
        hs = []
        h = x
        for blocks in self.input_blocks:
            h = self.run(blocks, h, emb, words, keep)
            hs.append(h)
        h = self.run(self.middle_block, h, emb, words, keep)
        for blocks in self.output_blocks:
            h = self.run(blocks, torch.cat([h, hs.pop()], dim=1), emb, words, keep)
        return self.out(h)


def perturb(model):
    """Every parameter away from its initial value, the zeros included."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if p.dim() == 1 and ('norm' in name or 'layers.0' in name or name.startswith('out.0')):
                p.copy_(1.0 + 0.1 * torch.randn_like(p) if name.endswith('weight')
                        else 0.1 * torch.randn_like(p))
            else:
                p.add_(0.05 * torch.randn_like(p))


def bags(N, vocab, words):
    """N bags of words, 1/k on each of the k word indices of words[n]"""
    c = torch.zeros(N, vocab)
    for n, ws in enumerate(words):
        for w in ws:
            c[n, w] = 1.0 / len(ws)
    return c


def stage1_bags(N, vocab):
    """the bench's prompts: image n a bag of 1 + n % 4 words, word j of it
    (7 n + 13 j) mod vocab (app/cli-bench-stage1.c draws the same)"""
    return bags(N, vocab, [[(7 * n + 13 * j) % vocab for j in range(1 + n % 4)]
                           for n in range(N)])


def bench(argv):
    """times training steps; one JSON line on stdout"""
    import argparse
    import json
    import resource
    import time
    ap = argparse.ArgumentParser(prog='resunet_reference.py --bench')
    ap.add_argument('--bench', action='store_true')
    ap.add_argument('--config', required=True, help='the net, as JSON (config()\'s keys)')
    ap.add_argument('--batch', type=int, default=64)
    ap.add_argument('--seconds', type=float, default=3.0)
    ap.add_argument('--threads', type=int, default=1)
    a = ap.parse_args(argv)
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    cfg = config(**json.loads(a.config))
    model = ResUNet(cfg)
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    N, C, size = a.batch, cfg['channels'], cfg['size']
    x = torch.randn(N, C, size, size)
    t = torch.rand(N) * 1000.0
    c = stage1_bags(N, cfg['vocab']) if cfg['vocab'] else None
    target = torch.randn(N, C, size, size)
    steps, t0, elapsed = 0, 0.0, 0.0
    i = 0
    while True:
        if i == 1:
            t0 = time.perf_counter()  # the first step allocates and warms caches
        opt.zero_grad(set_to_none=True)
        loss = F.mse_loss(model(x, t, c), target)
        loss.backward()
        opt.step()
        if i >= 1:
            steps += 1
            elapsed = time.perf_counter() - t0
            if elapsed >= a.seconds and steps >= 2:
                break
        i += 1
    print(json.dumps({'images_per_s': steps * N / elapsed,
                      'ms_per_step': 1000.0 * elapsed / steps, 'steps': steps,
                      'threads': torch.get_num_threads(), 'torch': torch.__version__,
                      'peak_rss_mib': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0}))


def make_fixture(fname, seed, cfg, N, words=None):
    torch.manual_seed(seed)
    model = ResUNet(cfg)
    perturb(model)
    size, C = cfg['size'], cfg['channels']
    x = torch.randn(N, C, size, size)
    t = torch.rand(N) * 1000.0
    c = bags(N, cfg['vocab'], words) if cfg['vocab'] else None
    target = torch.randn(N, C, size, size)
    pre = [(k, v.detach().clone()) for k, v in model.state_dict().items()]
    # drawn after the rest, so that the earlier fixtures keep their numbers
    cond = torch.randn(N, cfg['cond_channels'], size, size) if cfg['cond_channels'] else None
    s = torch.rand(N) * 250.0 if cfg['aug'] else None

    model.train()
    output = model(x, t, c, cond, s)
    loss = F.mse_loss(output, target)
    loss.backward()

    tensors = [('param.' + k, v) for k, v in pre]
    tensors += [('input.x', x), ('input.t', t)]
    if c is not None:
        tensors.append(('input.c', c))
    if cond is not None:
        tensors.append(('input.cond', cond))
    if s is not None:
        tensors.append(('input.s', s))
    tensors += [('target', target), ('output', output), ('loss', loss.reshape(1))]
    tensors += [('grad.' + k, p.grad) for k, p in model.named_parameters()]
    nparams = sum(p.numel() for p in model.parameters())
    # the stage II fields only when set, as the model file writes them
    meta = {'resunet.' + k: (','.join(str(v) for v in val) if isinstance(val, list)
                             else str(int(val)) if isinstance(val, bool) else str(val))
            for k, val in cfg.items()
            if k not in ('cond_channels', 'aug') or val}
    meta.update({'batch': N, 'torch': torch.__version__, 'param_count': nparams,
                 'seed': seed})
    save_safetensors(os.path.join(HERE, fname), tensors, meta)
    print('%-30s %8d bytes  params=%d  loss=%.6f' %
          (fname, os.path.getsize(os.path.join(HERE, fname)), nparams, loss.item()))


def config(**kw):
    cfg = {'channels': 3, 'size': 16, 'width': 8, 'mult': [1, 2], 'blocks': 1,
           'attn': [1], 'heads': 2, 'groups': 4, 'dropout': 0.0, 'time_dim': 32,
           'vocab': 0, 'embed_dim': 0, 'pool': False, 'cross': False, 'max_words': 0,
           'cond_channels': 0, 'aug': False}
    cfg.update(kw)
    return cfg


def main():
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    print('torch', torch.__version__)
    make_fixture('resunet-pool-16.safetensors', 1,
                 config(vocab=10, embed_dim=6, pool=True), N=3,
                 words=[[2, 7], [4], []])
    # four words, one past max_words; two; none (the empty prompt)
    make_fixture('resunet-cross-12.safetensors', 2,
                 config(channels=1, size=12, mult=[1, 1, 2], blocks=2, attn=[1],
                        time_dim=24, vocab=9, embed_dim=5, pool=True, cross=True,
                        max_words=3), N=3,
                 words=[[1, 3, 5, 8], [0, 6], []])
    make_fixture('resunet-uncond-8.safetensors', 3,
                 config(size=8, mult=[2], attn=[], heads=4, groups=2), N=2)
    make_fixture('resunet-sr-16.safetensors', 4,
                 config(cond_channels=3, aug=True), N=2)


if __name__ == '__main__':
    if '--bench' in sys.argv[1:]:
        bench(sys.argv[1:])
    else:
        main()
