"""torch.nn: Module, Parameter, the layers and losses, functional and init."""

from . import functional as functional
from . import init as init
from . import utils as utils
from .modules import ELU as ELU
from .modules import GELU as GELU
from .modules import SELU as SELU
from .modules import Hardtanh as Hardtanh
from .modules import LeakyReLU as LeakyReLU
from .modules import LogSigmoid as LogSigmoid
from .modules import LogSoftmax as LogSoftmax
from .modules import Mish as Mish
from .modules import ReLU as ReLU
from .modules import ReLU6 as ReLU6
from .modules import Sigmoid as Sigmoid
from .modules import SiLU as SiLU
from .modules import Softmax as Softmax
from .modules import Softplus as Softplus
from .modules import Tanh as Tanh
from .modules import BatchNorm1d as BatchNorm1d
from .modules import BatchNorm2d as BatchNorm2d
from .modules import ModuleDict as ModuleDict
from .modules import ModuleList as ModuleList
from .modules import ParameterDict as ParameterDict
from .modules import ParameterList as ParameterList
from .modules import Sequential as Sequential
from .modules import Conv1d as Conv1d
from .modules import Conv2d as Conv2d
from .modules import ConvTranspose2d as ConvTranspose2d
from .modules import Dropout as Dropout
from .modules import Dropout2d as Dropout2d
from .modules import Bilinear as Bilinear
from .modules import Flatten as Flatten
from .modules import Identity as Identity
from .modules import Linear as Linear
from .modules import Unflatten as Unflatten
from .modules import BCELoss as BCELoss
from .modules import BCEWithLogitsLoss as BCEWithLogitsLoss
from .modules import CrossEntropyLoss as CrossEntropyLoss
from .modules import HuberLoss as HuberLoss
from .modules import KLDivLoss as KLDivLoss
from .modules import L1Loss as L1Loss
from .modules import MSELoss as MSELoss
from .modules import NLLLoss as NLLLoss
from .modules import SmoothL1Loss as SmoothL1Loss
from .modules import Module as Module
from .modules import GroupNorm as GroupNorm
from .modules import LayerNorm as LayerNorm
from .modules import AdaptiveAvgPool1d as AdaptiveAvgPool1d
from .modules import AdaptiveAvgPool2d as AdaptiveAvgPool2d
from .modules import AvgPool1d as AvgPool1d
from .modules import AvgPool2d as AvgPool2d
from .modules import MaxPool1d as MaxPool1d
from .modules import MaxPool2d as MaxPool2d
from .modules import MaxUnpool1d as MaxUnpool1d
from .modules import MaxUnpool2d as MaxUnpool2d
from .modules import MultiheadAttention as MultiheadAttention
from .modules import GRU as GRU
from .modules import LSTM as LSTM
from .modules import RNN as RNN
from .modules import RNNBase as RNNBase
from .modules import Embedding as Embedding
from .parameter import Buffer as Buffer
from .parameter import Parameter as Parameter

__all__ = [
    "AdaptiveAvgPool1d",
    "AdaptiveAvgPool2d",
    "AvgPool1d",
    "AvgPool2d",
    "BCELoss",
    "BCEWithLogitsLoss",
    "BatchNorm1d",
    "BatchNorm2d",
    "Bilinear",
    "Buffer",
    "Conv1d",
    "Conv2d",
    "ConvTranspose2d",
    "CrossEntropyLoss",
    "Dropout",
    "Dropout2d",
    "ELU",
    "Embedding",
    "Flatten",
    "GELU",
    "GroupNorm",
    "Hardtanh",
    "HuberLoss",
    "Identity",
    "KLDivLoss",
    "L1Loss",
    "LayerNorm",
    "LeakyReLU",
    "Linear",
    "LogSigmoid",
    "LogSoftmax",
    "MSELoss",
    "MaxPool1d",
    "MaxPool2d",
    "MaxUnpool1d",
    "MaxUnpool2d",
    "GRU",
    "MultiheadAttention",
    "LSTM",
    "RNN",
    "RNNBase",
    "Mish",
    "Module",
    "ModuleDict",
    "ModuleList",
    "NLLLoss",
    "Parameter",
    "ParameterDict",
    "ParameterList",
    "ReLU",
    "ReLU6",
    "SELU",
    "Sequential",
    "SiLU",
    "Sigmoid",
    "SmoothL1Loss",
    "Softmax",
    "Softplus",
    "Tanh",
    "Unflatten",
    "functional",
    "init",
]
