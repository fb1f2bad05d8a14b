using Tcd.Models.Modeling;

namespace Tcd.Models.Interop;

/// <summary>
/// What a Hugging Face checkpoint folder holds, read by <see cref="HuggingFaceCheckpoint.Describe"/> from its
/// <c>config.json</c> and the header of its <c>model.safetensors</c>, without loading a weight (or by
/// <see cref="HuggingFaceCheckpoint.DescribeReadingWeights"/>, which also reads a <c>pytorch_model.bin</c>).
/// </summary>
/// <param name="Config">The model shape, as an import would build it.</param>
/// <param name="ArchitectureName">The first entry of <c>architectures</c> as written, e.g. <c>BertForTokenClassification</c>; null when absent.</param>
/// <param name="Architecture">
/// The class <c>HuggingFaceCheckpoint.Load</c> (<c>tcd import-hf</c>) builds the checkpoint as: the one named by
/// <c>architectures</c>, or inferred from the tensor names of a <c>model.safetensors</c> when it names none; null when
/// it names a class that only the encoder-only import reads (<see cref="HuggingFaceCheckpoint.LoadEncoderUnderNewMaskedLmHead"/>),
/// or names none and the weights are a <c>pytorch_model.bin</c> that was not read
/// (<see cref="HuggingFaceCheckpoint.DescribeReadingWeights"/> reads it), whose names only reading reveals.
/// </param>
/// <param name="LabelNames">Class names by id from <c>id2label</c>, or null when absent.</param>
/// <param name="ProblemType">The <c>problem_type</c> of a classifier, or null when absent.</param>
/// <param name="WeightsPath">The weights file an import reads (<c>model.safetensors</c> before <c>pytorch_model.bin</c>); null when there is neither.</param>
/// <param name="Tensors">
/// The tensors of a <c>model.safetensors</c> from its header, or those of a <c>pytorch_model.bin</c> as
/// <see cref="HuggingFaceCheckpoint.DescribeReadingWeights"/> reads them; null for an unread <c>pytorch_model.bin</c> or no weights.
/// </param>
public sealed record HuggingFaceCheckpointContents(
    BertConfig Config,
    string? ArchitectureName,
    HuggingFaceArchitecture? Architecture,
    IReadOnlyList<string>? LabelNames,
    string? ProblemType,
    string? WeightsPath,
    IReadOnlyList<SafeTensorInfo>? Tensors)
{
    /// <summary>
    /// True when a classifier's <c>problem_type</c> is multi-label, which this library's softmax classifiers cannot
    /// reproduce: only the encoder-only import reads such a checkpoint.
    /// </summary>
    public bool IsMultiLabel => ProblemType == HuggingFaceConfigJson.MultiLabelProblemType;
}
