"""The cluster-wide lease table on phase-cache keys: a named Ray actor holding `xlt.cache.leases.Leases`."""

from xlt.cache.leases import Leases

LOCK_ACTOR = "xlt-phase-locks"


def lock_actor():
    """The cluster-wide lease table (a named Ray actor), created on first use by the sweep driver
    and pinned to the driver's node: a table on a worker node would die with a preempted node,
    and every trial after it with the table."""
    import ray
    from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

    here = NodeAffinitySchedulingStrategy(ray.get_runtime_context().get_node_id(), soft=False)
    remote = ray.remote(num_cpus=0)(Leases)
    return remote.options(name=LOCK_ACTOR, get_if_exists=True, scheduling_strategy=here).remote()
