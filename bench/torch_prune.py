#!/usr/bin/env python3
"""PyTorch reference for `npm run bench:prune`: the recipe a PyTorch user writes in twenty lines.

Per seed: train keras-cifar-cnn (the same network as PruneLab's preset) on Fashion-MNIST for the dense
epochs (Adam 1e-3, batch 64, images scaled to [0, 1]); then for every sparsity, from a copy of that dense
model, prune every conv and linear weight with torch.nn.utils.prune.global_unstructured (L1) and fine-tune
for the fine-tune epochs with a fresh Adam 1e-3 (the pruning re-parametrisation keeps pruned weights at
zero), and measure test accuracy. With --cosine the fine-tune's learning rate decays by a cosine over its
steps — PruneLab's fine-tune schedule, so its effect can be told apart from the criterion's.

Prints a progress line per cell on stderr and, last on stdout, one JSON line:
{"dense": {"mean", "std"}, "rows": [{"criterion", "schedule", "sparsity", "mean", "std"}], "cells": [...],
 "threads", "seconds"}.
"""
import argparse
import copy
import gzip
import json
import math
import statistics
import sys
import time

import torch
from torch import nn
from torch.nn.utils import prune


def keras_cifar_cnn(channels: int, classes: int, size: int) -> nn.Module:
    side = ((size - 2) // 2 - 2) // 2 - 2
    return nn.Sequential(
        nn.Conv2d(channels, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(64, 64, 3), nn.ReLU(),
        nn.Flatten(),
        nn.Linear(64 * side * side, 64), nn.ReLU(),
        nn.Linear(64, classes),
    )


def read_idx(path: str) -> torch.Tensor:
    with gzip.open(path, 'rb') if path.endswith('.gz') else open(path, 'rb') as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], 'big') for i in range(dims)]
    return torch.frombuffer(bytearray(data[4 + 4 * dims:]), dtype=torch.uint8).reshape(shape)


def load(data_dir: str, prefix: str):
    images = read_idx(f'{data_dir}/{prefix}-images-idx3-ubyte.gz')
    labels = read_idx(f'{data_dir}/{prefix}-labels-idx1-ubyte.gz').long()
    return images.unsqueeze(1), labels


def train(model, images, labels, epochs, batch, generator, cosine=False):
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    steps = epochs * math.ceil(len(labels) / batch)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, steps) if cosine else None
    loss_fn = nn.CrossEntropyLoss()
    model.train()
    for _ in range(epochs):
        order = torch.randperm(len(labels), generator=generator)
        for start in range(0, len(order), batch):
            index = order[start:start + batch]
            optimizer.zero_grad()
            loss = loss_fn(model(images[index].float().div_(255)), labels[index])
            loss.backward()
            optimizer.step()
            if scheduler:
                scheduler.step()


@torch.no_grad()
def accuracy(model, images, labels) -> float:
    model.eval()
    right = 0
    for start in range(0, len(labels), 1000):
        logits = model(images[start:start + 1000].float().div_(255))
        right += (logits.argmax(1) == labels[start:start + 1000]).sum().item()
    return right / len(labels)


def prunable(model):
    return [(m, 'weight') for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]


def mean_std(values):
    return {'mean': statistics.fmean(values), 'std': statistics.stdev(values) if len(values) > 1 else 0.0}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument('--data', default='/usr/share/datasets/fashion-mnist')
    parser.add_argument('--seeds', type=int, default=3)
    parser.add_argument('--first-seed', type=int, default=1, help='seeds run from here (a bench may run one seed at a time)')
    parser.add_argument('--train-images', type=int, default=60000)
    parser.add_argument('--dense-epochs', type=int, default=5)
    parser.add_argument('--finetune-epochs', type=int, default=2)
    parser.add_argument('--sparsities', default='0.9,0.95,0.98')
    parser.add_argument('--batch', type=int, default=64)
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument('--cosine', action='store_true', help='also fine-tune with a cosine learning rate')
    args = parser.parse_args()

    started = time.perf_counter()
    torch.set_num_threads(args.threads)
    train_x, train_y = load(args.data, 'train')
    test_x, test_y = load(args.data, 't10k')
    sparsities = [float(s) for s in args.sparsities.split(',')]
    schedules = ['constant', 'cosine'] if args.cosine else ['constant']
    dense, cells = [], []
    for seed in range(args.first_seed, args.first_seed + args.seeds):
        torch.manual_seed(seed)
        generator = torch.Generator().manual_seed(seed)
        subset = torch.randperm(len(train_y), generator=generator)[: args.train_images]
        x, y = train_x[subset], train_y[subset]
        model = keras_cifar_cnn(1, 10, 28)
        train(model, x, y, args.dense_epochs, args.batch, generator)
        dense.append(accuracy(model, test_x, test_y))
        print(f'torch seed {seed}: dense {dense[-1]:.4f}', file=sys.stderr, flush=True)
        for sparsity in sparsities:
            for schedule in schedules:
                pruned = copy.deepcopy(model)
                prune.global_unstructured(prunable(pruned), pruning_method=prune.L1Unstructured, amount=sparsity)
                before = accuracy(pruned, test_x, test_y)
                train(pruned, x, y, args.finetune_epochs, args.batch,
                      torch.Generator().manual_seed(seed * 1000 + int(sparsity * 1000)), schedule == 'cosine')
                after = accuracy(pruned, test_x, test_y)
                cells.append({'seed': seed, 'criterion': 'l1', 'lrSchedule': schedule, 'sparsity': sparsity,
                              'pruned': before, 'accuracy': after})
                print(f'torch seed {seed}: L1 {sparsity:.2f} ({schedule}): pruned {before:.4f} → '
                      f'fine-tuned {after:.4f}', file=sys.stderr, flush=True)
    rows = []
    for sparsity in sparsities:
        for schedule in schedules:
            mine = [c['accuracy'] for c in cells if c['sparsity'] == sparsity and c['lrSchedule'] == schedule]
            rows.append({'criterion': 'l1', 'schedule': 'oneshot', 'lrSchedule': schedule, 'sparsity': sparsity,
                         **mean_std(mine)})
    print(json.dumps({'dense': mean_std(dense), 'rows': rows, 'cells': cells, 'threads': args.threads,
                      'seconds': time.perf_counter() - started}))


if __name__ == '__main__':
    main()
