import torch

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")


class LogisticRegression:
    """Hand-rolled model for a course exercise: parameters kept on a plain object."""

    def __init__(self, n_features, n_classes):
        self.W = torch.nn.Parameter(torch.Tensor(n_features, n_classes).to(device))  # expect: PIN001
        self.b = torch.nn.Parameter(torch.Tensor(n_classes).cuda())  # expect: PIN001

    def parameters(self):
        return [self.W, self.b]

    def __call__(self, x):
        return torch.softmax(x @ self.W + self.b, dim=-1)


model = LogisticRegression(784, 10)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
