"""The plant's catalog: areas, stations, metrics, targets, plan, employees, routes, categories."""
