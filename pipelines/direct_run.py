"""Run a pipeline in which nothing is shared, without Haystack's per-component deep copies (ingestion's hot path).

Haystack's `Pipeline.run` deep-copies every component's inputs before calling it, so that a component that changes
an input in place cannot change what another receiver of the same value sees. In an indexing pipeline every output
goes to one input only, so nothing is shared and the copies are pure cost: each chunk of a file is copied once per
component after the splitter (three times with the default YAML), a fifth of ingestion time in a profile
(`bench.documents` on 2 cores: 295–351k characters a second with them, 392–423k without; docs/retrieval.md
§Lexical fields).

`DirectRun` checks the pipeline once: every output socket has at most one receiver, no input is variadic (a joiner
collects several senders), no connection converts types, and the graph has no cycle. Such a pipeline it runs in
dependency order, passing each output object straight to its receiver, and returns what `Pipeline.run` returns:
each component's outputs that no connection consumes. A pipeline it cannot run that way (a user's own indexing YAML
may add a branch or a joiner) is left to `Pipeline.run` (`applicable` is False). Errors are raised as
`PipelineRuntimeError` with the component's name, as `Pipeline.run` raises them.
"""

from __future__ import annotations

from typing import Any

import networkx as nx
from haystack import Pipeline
from haystack.core.errors import PipelineRuntimeError


class DirectRun:
    """The components of `pipeline` in dependency order, when the pipeline can run without copies."""

    def __init__(self, pipeline: Pipeline) -> None:
        self.pipeline = pipeline
        graph = pipeline.graph
        self.order: list[str] = []
        self.receivers: dict[tuple[str, str], tuple[str, str]] = {}  # (sender, output) → (receiver, input)
        self.applicable = self._check(graph)

    def _check(self, graph: nx.MultiDiGraph) -> bool:
        if not nx.is_directed_acyclic_graph(graph):
            return False
        for sender, receiver, data in graph.edges(data=True):
            key = (sender, data["from_socket"].name)
            if key in self.receivers or data["to_socket"].is_variadic or data.get("conversion_strategy") is not None:
                return False
            self.receivers[key] = (receiver, data["to_socket"].name)
        self.order = list(nx.lexicographical_topological_sort(graph))
        return True

    def run(self, data: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        """Like `Pipeline.run(data)`: `data` maps component names to their unconnected inputs.

        :raises ValueError: when the pipeline cannot run without copies (check `applicable` first) or a component
            lacks a mandatory input.
        :raises PipelineRuntimeError: when a component fails (its exception is the cause).
        """
        if not self.applicable:
            msg = "this pipeline shares outputs, joins inputs or converts types: use Pipeline.run"
            raise ValueError(msg)
        self.pipeline.warm_up()
        inputs: dict[str, dict[str, Any]] = {name: dict(data.get(name, {})) for name in self.order}
        results: dict[str, dict[str, Any]] = {}
        for name in self.order:
            node = self.pipeline.graph.nodes[name]
            missing = [
                s for s, socket in node["input_sockets"].items() if socket.is_mandatory and s not in inputs[name]
            ]
            if missing:
                msg = f"component {name!r} has no value for its mandatory inputs {missing}"
                raise ValueError(msg)
            instance = node["instance"]
            try:
                output = instance.run(**inputs[name])
            except PipelineRuntimeError:
                raise
            except Exception as error:
                raise PipelineRuntimeError.from_exception(name, instance.__class__, error) from error
            if not isinstance(output, dict):
                raise PipelineRuntimeError.from_invalid_output(name, instance.__class__, output)
            left = {}
            for socket, value in output.items():
                target = self.receivers.get((name, socket))
                if target is None:
                    left[socket] = value
                else:
                    inputs[target[0]][target[1]] = value
            if left:
                results[name] = left
        return results
