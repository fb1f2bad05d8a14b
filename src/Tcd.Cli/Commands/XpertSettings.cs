using System.Text.Json.Nodes;
using Tcd.Models.Modeling;
using Tcd.Models.Xpert;

namespace Tcd.Cli.Commands;

/// <summary>What <c>tcd xpert</c> was asked to do.</summary>
/// <param name="Source">The trained MoE model folder.</param>
/// <param name="Domains">Domain name → its text file, in table order.</param>
/// <param name="Output">Folder for the frequency table, heatmaps, result.json and model/.</param>
/// <param name="Target">The dense model's configuration.</param>
/// <param name="Pipeline">Analysis, selection and decomposition settings.</param>
/// <param name="Threads">CPU threads for libtorch, or null for libtorch's choice.</param>
/// <param name="EffectiveOptions">Every option value after merging, written to tcd-config.json so <c>--config</c> repeats the run.</param>
internal sealed record XpertSettings(
    string Source,
    IReadOnlyList<KeyValuePair<string, string>> Domains,
    string Output,
    BertConfig Target,
    XpertPipelineOptions Pipeline,
    int? Threads,
    IReadOnlyDictionary<string, JsonNode?> EffectiveOptions);
