using Tcd.Models.Modeling;
using static TorchSharp.torch;

namespace Tcd.Models.Interop;

/// <summary>
/// A model imported from a Hugging Face checkpoint folder by <see cref="HuggingFaceCheckpoint.Load"/>.
/// </summary>
/// <param name="Config">The model configuration read from <c>config.json</c>.</param>
/// <param name="Architecture">The layout the checkpoint was saved in.</param>
/// <param name="Model">
/// The loaded model: a <see cref="BertForMaskedLm"/> for <see cref="HuggingFaceArchitecture.BertForMaskedLM"/> and
/// <see cref="HuggingFaceArchitecture.BertForPreTraining"/>, a <see cref="BertForSequenceClassification"/> for
/// <see cref="HuggingFaceArchitecture.BertForSequenceClassification"/> and a <see cref="BertModel"/> otherwise.
/// </param>
/// <param name="LabelNames">Class names by label id (from <c>id2label</c>) for a sequence classifier; otherwise null.</param>
/// <param name="Notes">One line per tensor group of the file that was deliberately not loaded, and why.</param>
public sealed record HuggingFaceImport(
    BertConfig Config,
    HuggingFaceArchitecture Architecture,
    nn.Module Model,
    IReadOnlyList<string>? LabelNames,
    IReadOnlyList<string> Notes);
