#!/usr/bin/python3
"""Independent PyTorch reference for Stepwise's C UNet engine.

This script builds the UNet described in SPEC with plain PyTorch modules whose
state_dict keys are exactly the tensor names the C engine uses, perturbs the
fresh initialisation (so BatchNorm affine params and running stats are all
non-trivial), runs one training-mode forward + MSE loss + backward and one
eval-mode forward, and dumps everything into small safetensors fixtures that a
C test compares against (in the spirit of llm.c's test_gpt2.c).

Regenerate the fixtures (deterministic; overwrites the files in place):

    /usr/bin/python3 tests/reference/unet_reference.py

Use Debian's /usr/bin/python3 (package python3-torch), not a pyenv/venv
python: Debian's torch lives in /usr/lib/python3/dist-packages.  The
`safetensors` Python module is NOT required; the format is written by hand.

Outputs (in the directory of this script):
    unet-class-28.safetensors     class variant, C=1, 28x28, D=8, N=3
    unet-time-mul-32.safetensors  time variant (mul), C=3, 32x32, D=8, N=3
    unet-time-add-28.safetensors  time variant (add), C=1, 28x28, D=8, N=2
    unet-uncond-28.safetensors    unconditional, C=1, 28x28, D=8, N=2
    unet-class-every-32.safetensors  class variant conditioned after every
                                  block, C=3, 32x32, D=8, N=3, class_dim 12
    param_counts.txt              "variant D C size class_dim count" per line,
                                  then " every" for cond='every'

Tensor names in each fixture (all F32, little-endian):
    param.<key>    every parameter and BN buffer (running_mean/var) before the
                   step (num_batches_tracked is skipped)
    input.x        (N,C,H,W) ~ randn
    input.t        (N,1) ~ rand in [0,1)        (time and class variants)
    input.c        (N,class_dim) one-hot / zero (class variant)
    target         (N,C,H,W) ~ randn
    output         model.train() forward output
    loss           [1]  F.mse_loss(output, target), mean reduction
    grad.<key>     d loss / d param for every parameter (not buffers)
    running.<key>  BN running_mean/running_var after that one train forward
                   (momentum 0.1, unbiased batch variance in the update)
    output_eval    model.eval() forward of the ORIGINAL (pre-step) state
"""

import copy
import json
import os
import struct

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))


# --------------------------------------------------------------------------
# Model (module / attribute names == state_dict keys used by the C engine)
# --------------------------------------------------------------------------

class ConvBN(nn.Module):
    """Conv / DownConv / UpConv / Unflatten unit: conv -> BatchNorm2d -> GELU."""

    def __init__(self, conv):
        super().__init__()
        self.conv = conv
        self.bn = nn.BatchNorm2d(conv.out_channels)

    def forward(self, x):
        return F.gelu(self.bn(self.conv(x)))  # exact (erf) GELU


class ConvBlock(nn.Module):
    def __init__(self, din, dout):
        super().__init__()
        self.c1 = ConvBN(nn.Conv2d(din, dout, 3, 1, 1))
        self.c2 = ConvBN(nn.Conv2d(dout, dout, 3, 1, 1))

    def forward(self, x):
        return self.c2(self.c1(x))


class DownBlock(nn.Module):
    def __init__(self, din, dout):
        super().__init__()
        self.down = ConvBN(nn.Conv2d(din, dout, 3, 2, 1))
        self.block = ConvBlock(dout, dout)

    def forward(self, x):
        return self.block(self.down(x))


class UpBlock(nn.Module):
    def __init__(self, din, dout):
        super().__init__()
        self.up = ConvBN(nn.ConvTranspose2d(din, dout, 4, 2, 1))
        self.block = ConvBlock(dout, dout)

    def forward(self, x):
        return self.block(self.up(x))


class FCBlock(nn.Module):
    def __init__(self, fin, fout):
        super().__init__()
        self.l1 = nn.Linear(fin, fout)
        self.l2 = nn.Linear(fout, fout)

    def forward(self, x):
        return self.l2(F.gelu(self.l1(x)))


class UNet(nn.Module):
    """variant: 'uncond' | 'time' | 'class'; time_mod: 'mul' | 'add';
    cond: 'course' | 'every'.

    time_mod only matters for 'time'; 'class' always uses c * u + t.
    cond 'every' ('class' only) modulates d1, d2, d3 and the out_block's
    output too, and up2, each with its own fc_<point>_t and fc_<point>_c.
    """

    def __init__(self, variant, C, D, size, class_dim=10, time_mod='mul',
                 cond='course'):
        super().__init__()
        assert variant in ('uncond', 'time', 'class')
        assert time_mod in ('mul', 'add')
        assert cond == 'course' or (cond == 'every' and variant == 'class')
        assert size % 4 == 0
        h = size // 4
        self.variant = variant
        self.time_mod = time_mod
        self.in_block = ConvBlock(C, D)
        self.down1 = DownBlock(D, D)
        self.down2 = DownBlock(D, 2 * D)
        self.pool = h  # Flatten = AvgPool2d(h) -> GELU (no BN, no params)
        self.unflatten = ConvBN(nn.ConvTranspose2d(2 * D, 2 * D, h, h, 0))
        self.up1 = UpBlock(4 * D, D)
        self.up2 = UpBlock(2 * D, D)
        self.out_block = ConvBlock(2 * D, D)
        self.out_conv = nn.Conv2d(D, C, 3, 1, 1)
        if variant in ('time', 'class'):
            self.fc1_t = FCBlock(1, 2 * D)
            self.fc2_t = FCBlock(1, D)
        if variant == 'class':
            self.fc1_c = FCBlock(class_dim, 2 * D)
            self.fc2_c = FCBlock(class_dim, D)
        # the points after every other block: name, width
        self.points = [('in', D), ('down1', D), ('down2', 2 * D), ('up2', D),
                       ('out', D)] if cond == 'every' else []
        for name, width in self.points:
            setattr(self, 'fc_%s_t' % name, FCBlock(1, width))
        for name, width in self.points:
            setattr(self, 'fc_%s_c' % name, FCBlock(class_dim, width))

    def _modulate(self, u, fc_t, fc_c, t, c):
        if self.variant == 'uncond':
            return u
        tv = fc_t(t)[:, :, None, None]
        if self.variant == 'class':
            cv = fc_c(c)[:, :, None, None]
            return cv * u + tv
        # variant == 'time'
        return u * tv if self.time_mod == 'mul' else u + tv

    def _point(self, u, name, t, c):
        """Modulation after a block that only cond='every' conditions."""
        if not any(p == name for p, _ in self.points):
            return u
        return self._modulate(u, getattr(self, 'fc_%s_t' % name),
                              getattr(self, 'fc_%s_c' % name), t, c)

    def forward(self, x, t=None, c=None):
        d1 = self._point(self.in_block(x), 'in', t, c)
        d2 = self._point(self.down1(d1), 'down1', t, c)
        d3 = self._point(self.down2(d2), 'down2', t, c)
        z = F.gelu(F.avg_pool2d(d3, self.pool))
        u0 = self.unflatten(z)
        u0 = self._modulate(u0, getattr(self, 'fc1_t', None),
                            getattr(self, 'fc1_c', None), t, c)
        up1 = self.up1(torch.cat([d3, u0], 1))
        up1 = self._modulate(up1, getattr(self, 'fc2_t', None),
                             getattr(self, 'fc2_c', None), t, c)
        up2 = self._point(self.up2(torch.cat([d2, up1], 1)), 'up2', t, c)
        o = self._point(self.out_block(torch.cat([d1, up2], 1)), 'out', t, c)
        return self.out_conv(o)


def param_count(model):
    """Parameters only (BN running buffers are not counted)."""
    return sum(p.numel() for p in model.parameters())


def perturb_bn(model):
    """Make every BatchNorm non-trivial so the test exercises all of it."""
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                n = m.num_features
                m.weight.copy_(1.0 + 0.1 * torch.randn(n))
                m.bias.copy_(0.1 * torch.randn(n))
                m.running_mean.copy_(0.1 * torch.randn(n))
                m.running_var.copy_(1.0 + 0.5 * torch.rand(n))


# --------------------------------------------------------------------------
# Minimal safetensors writer (F32 only, little-endian)
# --------------------------------------------------------------------------

def save_safetensors(path, tensors, metadata):
    """tensors: list of (name, torch.Tensor); metadata: dict str -> str."""
    header = {}
    blobs = []
    offset = 0
    for name, t in tensors:
        assert name not in header, name
        t = t.detach().to(torch.float32).contiguous().cpu()
        data = t.numpy().astype('<f4').tobytes()
        header[name] = {
            'dtype': 'F32',
            'shape': list(t.shape),
            'data_offsets': [offset, offset + len(data)],
        }
        blobs.append(data)
        offset += len(data)
    header['__metadata__'] = {str(k): str(v) for k, v in metadata.items()}
    hbytes = json.dumps(header, separators=(',', ':')).encode('utf-8')
    hbytes += b' ' * ((-len(hbytes)) % 8)  # pad header to a multiple of 8
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(hbytes)))
        f.write(hbytes)
        for b in blobs:
            f.write(b)


# --------------------------------------------------------------------------
# Fixture generation
# --------------------------------------------------------------------------

def make_fixture(fname, seed, variant, C, size, D, N, class_dim=10,
                 time_mod='mul', class_rows=None, cond='course'):
    torch.manual_seed(seed)
    model = UNet(variant, C, D, size, class_dim=class_dim, time_mod=time_mod,
                 cond=cond)
    perturb_bn(model)

    # Inputs.
    x = torch.randn(N, C, size, size)
    t = torch.rand(N, 1) if variant in ('time', 'class') else None
    c = None
    if variant == 'class':
        c = torch.zeros(N, class_dim)
        for row, cls in enumerate(class_rows or []):
            if cls is not None:
                c[row, cls] = 1.0
    target = torch.randn(N, C, size, size)

    # Snapshot of the pre-step state (params + buffers, no num_batches_tracked).
    pre_state = [(k, v.detach().clone()) for k, v in model.state_dict().items()
                 if not k.endswith('num_batches_tracked')]
    eval_model = copy.deepcopy(model)

    # One training-mode forward / loss / backward.
    model.train()
    model.zero_grad(set_to_none=True)
    output = model(x, t, c)
    loss = F.mse_loss(output, target)
    loss.backward()

    # Eval-mode forward of the original state (uses the perturbed running stats).
    eval_model.eval()
    with torch.no_grad():
        output_eval = eval_model(x, t, c)

    tensors = [('param.' + k, v) for k, v in pre_state]
    tensors.append(('input.x', x))
    if t is not None:
        tensors.append(('input.t', t))
    if c is not None:
        tensors.append(('input.c', c))
    tensors.append(('target', target))
    tensors.append(('output', output))
    tensors.append(('loss', loss.reshape(1)))
    for k, p in model.named_parameters():
        tensors.append(('grad.' + k, p.grad))
    for k, v in model.named_buffers():
        if k.endswith('running_mean') or k.endswith('running_var'):
            tensors.append(('running.' + k, v))
    tensors.append(('output_eval', output_eval))

    nparams = param_count(model)
    metadata = {
        'variant': variant,
        'time_mod': time_mod,
        'in_channels': C,
        'size': size,
        'D': D,
        'class_dim': class_dim,
        'batch': N,
        'torch': torch.__version__,
        'param_count': nparams,
        'seed': seed,
    }
    if cond != 'course':  # the older fixtures stay byte for byte as they were
        metadata['cond'] = cond
    path = os.path.join(HERE, fname)
    save_safetensors(path, tensors, metadata)
    print('%-30s %8d bytes  params=%d  loss=%.6f' %
          (fname, os.path.getsize(path), nparams, loss.item()))


def write_param_counts():
    configs = []
    for C, size in ((1, 28), (3, 32)):
        configs += [
            ('uncond', 128, C, size, 10, 'course'),
            ('uncond', 64, C, size, 10, 'course'),
            ('time', 64, C, size, 10, 'course'),
            ('class', 64, C, size, 10, 'course'),
        ]
    configs += [('class', 64, 3, 32, 10, 'every')]
    lines = []
    for variant, D, C, size, class_dim, cond in configs:
        n = param_count(UNet(variant, C, D, size, class_dim=class_dim,
                             cond=cond))
        line = '%s %d %d %d %d %d' % (variant, D, C, size, class_dim, n)
        if cond != 'course':
            line += ' ' + cond
        print(line)
        lines.append(line)
    with open(os.path.join(HERE, 'param_counts.txt'), 'w') as f:
        f.write('\n'.join(lines) + '\n')


def main():
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    torch.set_default_dtype(torch.float32)
    print('torch', torch.__version__)

    make_fixture('unet-class-28.safetensors', seed=1, variant='class', C=1,
                 size=28, D=8, N=3, class_dim=10, class_rows=[3, 7, None])
    make_fixture('unet-time-mul-32.safetensors', seed=2, variant='time', C=3,
                 size=32, D=8, N=3, time_mod='mul')
    make_fixture('unet-time-add-28.safetensors', seed=3, variant='time', C=1,
                 size=28, D=8, N=2, time_mod='add')
    make_fixture('unet-uncond-28.safetensors', seed=4, variant='uncond', C=1,
                 size=28, D=8, N=2)
    make_fixture('unet-class-every-32.safetensors', seed=5, variant='class',
                 C=3, size=32, D=8, N=3, class_dim=12, time_mod='add',
                 class_rows=[5, None, 11], cond='every')
    write_param_counts()


if __name__ == '__main__':
    main()
