using System.Text.Json.Nodes;
using Tcd.Models.Data.Glue;
using Tcd.Models.Training;

namespace Tcd.Cli.Commands;

/// <summary>What <c>tcd finetune</c> was asked to do.</summary>
/// <param name="Model">The pre-trained model folder.</param>
/// <param name="Task">The GLUE task (layout of the TSV files, labels and metrics).</param>
/// <param name="TrainFile">The training TSV.</param>
/// <param name="DevFile">The validation TSV, or null to train without validation.</param>
/// <param name="Output">Folder for model/ (the fine-tuned classifier) and result.json.</param>
/// <param name="Training">Fine-tuning options (mode, adapter size, epochs, threads, ...).</param>
/// <param name="MaxTrain">Cap on training examples, or null for all.</param>
/// <param name="MaxDev">Cap on dev examples (the dev file's first rows), or null for all.</param>
/// <param name="EffectiveOptions">Every option's value, written to the run's tcd-config.json.</param>
internal sealed record FinetuneSettings(
    string Model, GlueTask Task, string TrainFile, string? DevFile, string Output, FineTuningOptions Training, int? MaxTrain, int? MaxDev,
    IReadOnlyDictionary<string, JsonNode?> EffectiveOptions);
