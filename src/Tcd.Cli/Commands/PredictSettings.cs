using Tcd.Models.Data.Glue;
using Tcd.Models.Runtime;

namespace Tcd.Cli.Commands;

/// <summary>What <c>tcd predict</c> was asked to do.</summary>
/// <param name="Model">The fine-tuned classifier's model folder.</param>
/// <param name="Task">The GLUE task the classifier was fine-tuned on (labels, metrics, file layout).</param>
/// <param name="DataFile">The TSV to predict.</param>
/// <param name="Split">The split of <paramref name="Task"/> whose layout <paramref name="DataFile"/> has.</param>
/// <param name="Output">The predictions TSV written.</param>
/// <param name="SequenceLength">Tokens per example (longer inputs are truncated).</param>
/// <param name="BatchSize">Examples per forward pass.</param>
/// <param name="Probabilities">Also write each class's probability.</param>
/// <param name="Device">cpu, cuda, cuda:N or auto.</param>
/// <param name="Precision">The number format the classifier's weights are converted to after loading.</param>
/// <param name="Threads">libtorch CPU threads, or null for libtorch's choice.</param>
/// <param name="FineTuningStopped">True when the fine-tuning that made the classifier was stopped before its last epoch.</param>
/// <param name="ClassNames">
/// The classifier's own names of its outputs, in output order, when they are the task's classes in another order (an
/// imported checkpoint's <c>id2label</c>); null when its outputs are in the task's order.
/// </param>
internal sealed record PredictSettings(
    string Model, GlueTask Task, string DataFile, GlueSplit Split, string Output, int SequenceLength, int BatchSize, bool Probabilities, string Device, ComputePrecision Precision, int? Threads,
    bool FineTuningStopped, IReadOnlyList<string>? ClassNames);
