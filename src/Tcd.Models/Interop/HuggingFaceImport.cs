using Tcd.Models.Modeling;
using static TorchSharp.torch;

namespace Tcd.Models.Interop;

/// <summary>
/// A model imported from a Hugging Face checkpoint folder by <see cref="HuggingFaceCheckpoint.Load"/>.
/// </summary>
/// <param name="Config">The model configuration read from <c>config.json</c>.</param>
/// <param name="Architecture">
/// The Hugging Face class whose layout (prefixes and heads) the checkpoint was saved in. This library's MoE exports
/// (<c>TcdMoeBertForMaskedLM</c>, ...) report the class they extend (<see cref="HuggingFaceArchitecture.BertForMaskedLM"/>,
/// ...): the experts are in <see cref="BertConfig.IsMoe"/>, and <see cref="ArchitectureName"/> is the full name.
/// </param>
/// <param name="Model">
/// The loaded model: a <see cref="BertForMaskedLm"/> for <see cref="HuggingFaceArchitecture.BertForMaskedLM"/> and
/// <see cref="HuggingFaceArchitecture.BertForPreTraining"/>, a <see cref="BertForSequenceClassification"/> for
/// <see cref="HuggingFaceArchitecture.BertForSequenceClassification"/> and a <see cref="BertModel"/> otherwise; always a
/// <see cref="BertForMaskedLm"/> from <see cref="HuggingFaceCheckpoint.LoadEncoderUnderNewMaskedLmHead"/> and
/// <see cref="HuggingFaceCheckpoint.LoadAsMaskedLm"/>.
/// </param>
/// <param name="LabelNames">Class names by label id (from <c>id2label</c>) for a sequence classifier; otherwise null.</param>
/// <param name="Notes">One line per tensor group of the file that was deliberately not loaded, and why.</param>
public sealed record HuggingFaceImport(
    BertConfig Config,
    HuggingFaceArchitecture Architecture,
    nn.Module Model,
    IReadOnlyList<string>? LabelNames,
    IReadOnlyList<string> Notes)
{
    /// <summary>
    /// True when <see cref="Model"/> is a <see cref="BertForMaskedLm"/> whose masked-LM head is new (drawn from a seed, not
    /// the checkpoint's), as <see cref="HuggingFaceCheckpoint.LoadEncoderUnderNewMaskedLmHead"/> always and
    /// <see cref="HuggingFaceCheckpoint.LoadAsMaskedLm"/> for a checkpoint without a head load it. Default false.
    /// </summary>
    public bool HasNewMaskedLmHead { get; init; }

    /// <summary>
    /// The class name of the imported checkpoint: <see cref="Architecture"/>, prefixed with <c>TcdMoe</c> for a MoE
    /// model, e.g. <c>BertForMaskedLM</c> or <c>TcdMoeBertForMaskedLM</c>. An export of <see cref="Model"/> writes the
    /// class of the model it holds, which can differ: a <c>BertForPreTraining</c> import is a <see cref="BertForMaskedLm"/>
    /// and exports as <c>BertForMaskedLM</c>.
    /// </summary>
    public string ArchitectureName => HuggingFaceConfigJson.ArchitectureName(Architecture, Config.IsMoe);

    /// <summary>
    /// A one-line summary: the class, the shape, the labels and the notes, e.g.
    /// <c>TcdMoeBertForMaskedLM: L=2, H=64, heads=2, d_ff=128, experts=4</c>.
    /// </summary>
    public override string ToString()
    {
        var experts = Config.IsMoe ? FormattableString.Invariant($", experts={Config.ExpertCount}") : string.Empty;
        var labels = LabelNames is null ? string.Empty : $"; labels {string.Join(", ", LabelNames)}";
        var notes = Notes.Count == 0 ? string.Empty : $"; {string.Join(" ", Notes)}";
        return FormattableString.Invariant(
            $"{ArchitectureName}: L={Config.NumLayers}, H={Config.HiddenSize}, heads={Config.NumHeads}, d_ff={Config.IntermediateSize}{experts}{labels}{notes}");
    }
}
