using Tcd.MLNet.Estimators;
using Tcd.Models.Data;
using Tcd.Models.Modeling;
using Tcd.Models.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Tcd.MLNet.Transformers;

/// <summary>
/// A pre-trained BERT or MoE-BERT (teacher, MoE baseline or TCD student) as an ML.NET featurizer: maps a text column
/// to a <c>Features</c> vector of <see cref="BertConfig.HiddenSize"/> floats, and is the starting point of
/// fine-tuning (<c>mlContext.Tcd().TextClassifier(...)</c>) and of distillation (<c>mlContext.Tcd().Distill(...)</c>).
/// </summary>
/// <remarks>
/// Like every ML.NET transformer, <c>Transform</c> is lazy: each pass over its output runs the network again. In front of
/// a trainer that passes over the data many times (SDCA, L-BFGS, averaged perceptron) cache the features first —
/// <c>mlContext.Data.Cache(featurizer.Transform(data))</c> or <c>.AppendCacheCheckpoint(mlContext)</c> — so the network
/// runs once per row. The third pass over one uncached output writes a warning to <c>mlContext.Log</c>.
/// </remarks>
public sealed class PretrainedBertTransformer : BertTransformer
{
    private readonly OutputColumn[] columns;

    /// <summary>Wraps a masked-LM model, e.g. one loaded with <see cref="BertModelStore.LoadMaskedLm"/>.</summary>
    /// <param name="model">The network; it is put in eval mode (see <see cref="BertTransformer"/>) and runs on its current device.</param>
    /// <param name="encoder">The tokeniser of the model's vocabulary.</param>
    /// <param name="textColumnName">The input text column (String). Default "Text".</param>
    /// <param name="outputColumnName">The output feature column (vector of float). Default "Features".</param>
    /// <param name="pooling">How token states become one vector. Default <see cref="FeaturePooling.Mean"/>.</param>
    /// <param name="maxSequenceLength">Maximum tokens per text. Default 128 (paper: 128).</param>
    /// <param name="batchSize">Rows per forward pass in Transform. Default 32.</param>
    public PretrainedBertTransformer(
        BertForMaskedLm model,
        BertTextEncoder encoder,
        string textColumnName = "Text",
        string outputColumnName = "Features",
        FeaturePooling pooling = FeaturePooling.Mean,
        int maxSequenceLength = 128,
        int batchSize = 32)
        : base((model ?? throw new ArgumentNullException(nameof(model))).Config, encoder, textColumnName, null, maxSequenceLength, batchSize)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(outputColumnName);
        Model = model;
        model.eval();
        OutputColumnName = outputColumnName;
        Pooling = pooling;
        columns = [OutputColumn.Vector(outputColumnName, model.Config.HiddenSize, features => features)];
    }

    /// <summary>The pre-trained network (encoder and masked-LM head).</summary>
    public BertForMaskedLm Model { get; }

    /// <summary>The output feature column.</summary>
    public string OutputColumnName { get; }

    /// <summary>How token states become one vector.</summary>
    public FeaturePooling Pooling { get; }

    /// <summary>How pre-training ended (steps, last losses, validation log-likelihood); null when the model was loaded or wrapped.</summary>
    public PretrainingResult? PretrainingResult { get; internal init; }

    /// <summary>What XPERT found when it initialised this model (<c>mlContext.Tcd().InitializeFromExperts</c>); null otherwise and after loading.</summary>
    public XpertInitializationResult? XpertInitialization { get; internal init; }

    internal override IReadOnlyList<OutputColumn> OutputColumns => columns;

    private protected override nn.Module Network => Model;

    private protected override Tensor Forward(BertBatch batch)
    {
        // Pooled in fp32 whatever the network computes in: a bfloat16 sum over a long text would round at every token.
        var hidden = Model.Bert.forward(batch.InputIds, batch.TokenTypeIds, batch.AttentionMask, EncoderTaps.None).SequenceOutput.to(ScalarType.Float32);
        if (Pooling == FeaturePooling.Cls)
        {
            return hidden.select(1, 0);
        }

        var mask = batch.AttentionMask.unsqueeze(-1).to(hidden.dtype);
        return (hidden * mask).sum(dim: 1) / mask.sum(dim: 1);
    }
}
