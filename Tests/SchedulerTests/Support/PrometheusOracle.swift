import Foundation

/// The Python `prometheus_client` text parser (installed by `scripts/test`) as the oracle for
/// what `/metrics` serves: it parses the exposition and gives back every family and sample.
enum PrometheusOracle {
    struct Sample: Equatable {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    struct Family {
        var name: String
        var type: String
        var samples: [Sample]
    }

    static let program = """
        import json, sys
        from prometheus_client.parser import text_string_to_metric_families
        families = []
        for family in text_string_to_metric_families(sys.stdin.read()):
            families.append({"name": family.name, "type": family.type,
                "samples": [{"name": s.name, "labels": s.labels, "value": s.value} for s in family.samples]})
        print(json.dumps(families))
        """

    /// Parses `text`; throws with the parser's own words if it is not valid exposition.
    static func parse(_ text: String) throws -> [Family] {
        let out = try Python.run(
            program, input: Data(text.utf8),
            hint: "prometheus_client could not parse the exposition (is it installed? pip install prometheus_client)")
        guard let list = try JSONSerialization.jsonObject(with: out) as? [[String: Any]] else {
            throw Python.Failure(description: "unexpected oracle output")
        }
        return list.map { family in
            Family(
                name: family["name"] as? String ?? "", type: family["type"] as? String ?? "",
                samples: (family["samples"] as? [[String: Any]] ?? []).map { sample in
                    Sample(
                        name: sample["name"] as? String ?? "", labels: sample["labels"] as? [String: String] ?? [:],
                        value: (sample["value"] as? NSNumber)?.doubleValue ?? .nan)
                })
        }
    }
}

extension Array where Element == PrometheusOracle.Family {
    /// The family `name` (as the parser names it: counters without `_total`).
    func family(_ name: String) -> PrometheusOracle.Family? { first { $0.name == name } }

    /// The value of the sample `name` with exactly `labels`.
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        flatMap(\.samples).first { $0.name == name && $0.labels == labels }?.value
    }
}
