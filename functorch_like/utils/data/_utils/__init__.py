"""torch.utils.data._utils: where torch keeps `collate` and its type map, the documented way
to extend default_collate (`default_collate_fn_map.update({MyType: fn})`, then
`collate(batch, collate_fn_map=default_collate_fn_map)`)."""

from . import collate as collate
from . import worker as worker
