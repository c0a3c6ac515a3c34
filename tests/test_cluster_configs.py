"""The cluster configs validate against Ray's own cluster-launcher schema, and have the shape
a sweep needs: a CPU head hosting the trial drivers, GPU workers autoscaling from zero."""

import copy

import pytest
import yaml
from ray.autoscaler._private.util import prepare_config, validate_config

from conftest import REPO

CLUSTER = REPO / "cluster"


def load(name: str) -> dict:
    return yaml.safe_load((CLUSTER / name).read_text())


@pytest.mark.parametrize("name", ["aws.yaml", "gcp.yaml"])
def test_cloud_configs_are_valid_and_autoscale_gpus_from_zero(name):
    cfg = load(name)
    validate_config(prepare_config(copy.deepcopy(cfg)))  # Ray's schema, with its defaults filled in
    types = cfg["available_node_types"]
    head = types[cfg["head_node_type"]]
    assert head["resources"]["trial_slot"] >= 1
    assert "trial_slot" in " ".join(cfg["head_start_ray_commands"])
    assert "--dashboard-host=127.0.0.1" in " ".join(cfg["head_start_ray_commands"])  # localhost only
    workers = {k: v for k, v in types.items() if k != cfg["head_node_type"]}
    assert all(v["min_workers"] == 0 for v in workers.values())
    text = yaml.safe_dump(workers)
    assert ("p4d.24xlarge" in text) or ("acceleratorCount: 8" in text)  # an 8-GPU type
    assert ("MarketType: spot" in text) or ("preemptible: true" in text)  # spot/preemptible option
    assert any("pip install" in c and "xlt" in c for c in cfg["setup_commands"])


@pytest.mark.parametrize("name", ["kuberay-raycluster.yaml", "kuberay-rayjob.yaml"])
def test_kuberay_manifests_autoscale_a_gpu_group(name):
    doc = load(name)
    assert doc["apiVersion"] == "ray.io/v1" and doc["kind"] in {"RayCluster", "RayJob"}
    spec = doc["spec"] if doc["kind"] == "RayCluster" else doc["spec"]["rayClusterSpec"]
    assert spec["enableInTreeAutoscaling"] is True
    head = spec["headGroupSpec"]
    assert head["serviceType"] == "ClusterIP" and head["rayStartParams"]["num-cpus"] == "0"
    assert "trial_slot" in head["rayStartParams"]["resources"]
    gpus = [g["template"]["spec"]["containers"][0]["resources"]["limits"]["nvidia.com/gpu"] for g in spec["workerGroupSpecs"]]
    assert gpus and all(g["minReplicas"] == 0 for g in spec["workerGroupSpecs"])
    if doc["kind"] == "RayJob":
        assert doc["spec"]["entrypoint"].startswith("xlt sweep run") and doc["spec"]["shutdownAfterJobFinishes"]


def test_fake_autoscaling_config_declares_gpu_workers():
    cfg = load("local-autoscale.yaml")
    validate_config(copy.deepcopy(cfg))
    assert cfg["provider"]["type"] == "fake_multinode"
    gpu = cfg["available_node_types"]["gpu_1x"]
    assert gpu["resources"]["GPU"] == 1 and gpu["min_workers"] == 0
