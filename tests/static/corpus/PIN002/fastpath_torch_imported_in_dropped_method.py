# A lazy `import torch` inside a method the prefilter blanks (it neither creates nor writes
# storages) still names torch for the whole file in the analysis: the fast path keeps it.
import numpy as np


class Exporter:
    def __init__(self, path):
        self.path = path

    def save(self, array):
        import torch

        torch.save(torch.from_numpy(np.asarray(array)), self.path)

    def name(self):
        return self.path


def noise(n):
    buffer = torch.FloatTensor(n)  # expect: PIN002
    return buffer + 1
