import torch


class ReplayBuffer:
    """Fixed-size ring buffer: a slot is read only after it has been written."""

    def __init__(self, capacity, obs_dim, act_dim):
        self.capacity = capacity
        self.obs = torch.FloatTensor(capacity, obs_dim)
        self.actions = torch.LongTensor(capacity, act_dim)
        self.rewards = torch.FloatTensor(capacity).zero_()
        self.dones = torch.ByteTensor(capacity).zero_()
        self.ptr = 0
        self.size = 0

    def add(self, obs, action, reward, done):
        self.obs[self.ptr] = obs
        self.actions[self.ptr] = action
        self.rewards[self.ptr] = reward
        self.dones[self.ptr] = done
        self.ptr = (self.ptr + 1) % self.capacity
        self.size = min(self.size + 1, self.capacity)

    def sample(self, batch_size):
        idx = torch.randint(0, self.size, (batch_size,))
        return self.obs[idx], self.actions[idx], self.rewards[idx], self.dones[idx].bool()
