#!/usr/bin/env python3
"""PyTorch CPU reference for `npm run bench:train`: the same keras-cifar-cnn, data, batch and optimizer.

Reads the raw uint8 images (N·28·28) and labels (N) that bench/train.ts wrote, trains one warm-up pass
over a few batches, then times one epoch over all images with batches built per batch from the uint8
buffer (scaled to [0, 1]) and the loss read back every batch — the same work the TypeScript loop does.
Prints one JSON line: {"threads": T, "images": N, "seconds": S, "imagesPerSecond": X}.
"""
import argparse
import json
import time

import torch
from torch import nn


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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument('--images', required=True)
    parser.add_argument('--labels', required=True)
    parser.add_argument('--count', type=int, required=True)
    parser.add_argument('--size', type=int, default=28)
    parser.add_argument('--classes', type=int, default=10)
    parser.add_argument('--batch', type=int, default=64)
    parser.add_argument('--threads', type=int, default=1)
    parser.add_argument('--seed', type=int, default=1)
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    with open(args.images, 'rb') as f:
        images = torch.frombuffer(bytearray(f.read()), dtype=torch.uint8).reshape(args.count, 1, args.size, args.size)
    with open(args.labels, 'rb') as f:
        labels = torch.frombuffer(bytearray(f.read()), dtype=torch.uint8).long()

    model = keras_cifar_cnn(1, args.classes, args.size)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()

    def run(order: torch.Tensor) -> None:
        for start in range(0, len(order), args.batch):
            index = order[start:start + args.batch]
            x = images[index].float().div_(255)
            y = labels[index]
            optimizer.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            optimizer.step()
            loss.item()

    generator = torch.Generator().manual_seed(args.seed)
    run(torch.randperm(args.count, generator=generator)[: 4 * args.batch])  # warm-up
    order = torch.randperm(args.count, generator=generator)
    started = time.perf_counter()
    run(order)
    seconds = time.perf_counter() - started
    print(json.dumps({'threads': args.threads, 'images': args.count, 'seconds': seconds,
                      'imagesPerSecond': args.count / seconds}))


if __name__ == '__main__':
    main()
