using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Tcd.Models.Interop;
using Tcd.Models.Modeling;
using static TorchSharp.torch;

namespace Tcd.Models.Tests.Interop;

/// <summary>
/// Issue 7 promises MoE exports in a documented layout: Python users read <c>docs/huggingface-interop.md</c>'s
/// "Mixture-of-Experts layout" section, so its config keys and tensor table must be what the exporter writes.
/// </summary>
public sealed partial class HuggingFaceMoeLayoutDocumentTests : IDisposable
{
    private readonly string root = Path.Combine(Path.GetTempPath(), "tcd-hf-moe-doc-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void The_documented_moe_config_and_tensor_table_are_what_the_export_writes()
    {
        var section = Section(File.ReadAllText(RepositoryFiles.Path("docs/huggingface-interop.md")), "## Mixture-of-Experts layout");
        var documentedConfig = JsonNode.Parse(JsonBlock().Match(section).Groups["body"].Value)!.AsObject();
        var documentedTensors = TensorRow().Matches(section).Select(row => (Name: row.Groups["name"].Value, Shape: row.Groups["shape"].Value)).ToList();
        documentedTensors.Should().HaveCount(6, "the table lists the router's weight and bias and the stacked experts' two weights and two biases");
        manual_seed(65);
        var config = HfCheckpoints.Config.WithExperts(4);
        using var model = new BertForMaskedLm(config);

        HuggingFaceExporter.Save(model, root, new HuggingFaceExportOptions { IncludeTokenizer = false });

        var exportedConfig = JsonNode.Parse(File.ReadAllText(Path.Combine(root, HuggingFaceCheckpoint.ConfigFileName)))!.AsObject();
        foreach (var (key, value) in documentedConfig)
        {
            exportedConfig.Should().ContainKey(key);
            JsonNode.DeepEquals(exportedConfig[key], value).Should().BeTrue($"config.json's \"{key}\" is documented as {value?.ToJsonString() ?? "null"}, written as {exportedConfig[key]?.ToJsonString() ?? "null"}");
        }

        var sizes = new Dictionary<string, long> { ["E"] = 4, ["H"] = HfCheckpoints.Hidden, ["I"] = HfCheckpoints.Inner };
        var written = HuggingFaceCheckpoint.Describe(root).Tensors!;
        for (var layer = 0; layer < config.NumLayers; layer++)
        {
            var prefix = $"bert.encoder.layer.{layer}.";
            // Attention and the FFN's output LayerNorm stay as in a vanilla BERT; the table lists what replaces the dense FFN.
            var feedForward = written.Where(tensor => tensor.Name.StartsWith(prefix, StringComparison.Ordinal)
                                                      && !tensor.Name.StartsWith(prefix + "attention.", StringComparison.Ordinal)
                                                      && !tensor.Name.StartsWith(prefix + "output.LayerNorm.", StringComparison.Ordinal))
                .ToDictionary(tensor => tensor.Name["bert.encoder.layer.".Length..], tensor => tensor.Shape);
            feedForward.Keys.Should().BeEquivalentTo(documentedTensors.Select(tensor => $"{layer}.{tensor.Name}"), $"layer {layer}'s FFN tensors are the documented ones");
            foreach (var (name, shape) in documentedTensors)
            {
                feedForward[$"{layer}.{name}"].Should().Equal(shape.Split(", ").Select(dimension => sizes[dimension]), name);
            }
        }
    }

    /// <summary>The text from <paramref name="heading"/> to the next second-level heading.</summary>
    private static string Section(string markdown, string heading)
    {
        var start = markdown.IndexOf(heading + "\n", StringComparison.Ordinal);
        start.Should().BeGreaterThanOrEqualTo(0, $"the page has a section '{heading}'");
        var end = markdown.IndexOf("\n## ", start + heading.Length, StringComparison.Ordinal);
        return markdown[start..(end < 0 ? markdown.Length : end)];
    }

    [GeneratedRegex(@"```json\n(?<body>.*?)\n```", RegexOptions.Singleline)]
    private static partial Regex JsonBlock();

    /// <summary>A row such as <c>| `bert.encoder.layer.{i}.moe.router.weight` | [E, H] | … |</c>.</summary>
    [GeneratedRegex(@"^\| `bert\.encoder\.layer\.\{i\}\.(?<name>[A-Za-z_.]+)` \| \[(?<shape>[EHI, ]+)\] \|", RegexOptions.Multiline)]
    private static partial Regex TensorRow();
}
