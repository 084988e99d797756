"""The world: the map graph, the compiled model constants, and the state arrays that the engine advances."""
