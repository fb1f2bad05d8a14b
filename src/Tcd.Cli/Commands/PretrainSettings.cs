using System.Text.Json.Nodes;
using Tcd.Models.Modeling;
using Tcd.Models.Training;

namespace Tcd.Cli.Commands;

/// <summary>What <c>tcd pretrain</c> / <c>tcd distill</c> were asked to do.</summary>
/// <param name="Corpus">Training text files.</param>
/// <param name="Output">Run folder: model/, checkpoints/, metrics.jsonl, result.json, tcd-config.json.</param>
/// <param name="Model">The configuration of the model trained.</param>
/// <param name="Objective">Loss terms and weights.</param>
/// <param name="Training">Optimizer, schedule, data, checkpoint and device options.</param>
/// <param name="Teacher">The teacher's model folder (distill only).</param>
/// <param name="Init">The saved model whose weights training starts from, or null for a fresh initialisation (pretrain only).</param>
/// <param name="Validation">Held-out text files scored by masked-token log-likelihood (may be empty).</param>
/// <param name="ValidationSegments">Cap on the held-out segments.</param>
/// <param name="EffectiveOptions">Every option value after merging, written to tcd-config.json so <c>--config</c> repeats the run.</param>
internal sealed record PretrainSettings(
    IReadOnlyList<string> Corpus,
    string Output,
    BertConfig Model,
    PretrainingObjective Objective,
    PretrainingOptions Training,
    string? Teacher,
    string? Init,
    IReadOnlyList<string> Validation,
    int ValidationSegments,
    IReadOnlyDictionary<string, JsonNode?> EffectiveOptions);
