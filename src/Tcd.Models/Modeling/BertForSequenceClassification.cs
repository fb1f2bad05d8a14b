using Tcd.Models.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Tcd.Models.Modeling;

/// <summary>
/// Sentence (pair) classifier or regressor, as Hugging Face <c>BertForSequenceClassification</c>:
/// <c>bert</c> (with pooler) → dropout → <c>classifier</c> (Linear H → NumLabels). NumLabels = 1 means regression.
/// </summary>
public sealed class BertForSequenceClassification : nn.Module<Tensor, Tensor?, Tensor?, EncoderTaps, SequenceClassificationOutput>
{
    private readonly BertModel bert;
    private readonly FastDropout dropout;
    private readonly Linear classifier;

    /// <summary>Creates a freshly initialised model for <paramref name="config"/> with <paramref name="numLabels"/> outputs.</summary>
    public BertForSequenceClassification(BertConfig config, int numLabels, Device? device = null) : base(TorchRuntime.LoadedModuleName(nameof(BertForSequenceClassification)))
    {
        ArgumentNullException.ThrowIfNull(config);
        if (numLabels <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(numLabels), numLabels, "numLabels must be positive: the number of classes, or 1 for regression (STS-B).");
        }

        NumLabels = numLabels;
        bert = new BertModel(config, addPoolingLayer: true);
        dropout = new FastDropout(config.HiddenDropout);
        classifier = BertInitializer.Linear(config.HiddenSize, numLabels, config.InitializerRange);
        RegisterComponents();
        if (device is not null)
        {
            this.to(device);
        }
    }

    /// <summary>Number of outputs; 1 means regression.</summary>
    public int NumLabels { get; }

    /// <summary>The configuration.</summary>
    public BertConfig Config => bert.Config;

    /// <summary>The encoder with its pooler (<c>bert.*</c>).</summary>
    public BertModel Bert => bert;

    /// <summary>
    /// Builds a classifier on top of a pre-trained masked-LM model: embeddings, encoder (and adapters, if any) are
    /// copied; pooler and classifier are freshly initialised (a masked-LM model has no pooler, as in Hugging Face).
    /// The new model is on the pre-trained model's device.
    /// </summary>
    public static BertForSequenceClassification FromPretrained(BertForMaskedLm pretrained, int numLabels)
    {
        ArgumentNullException.ThrowIfNull(pretrained);
        using var pretrainedWordEmbeddings = pretrained.Bert.Embeddings.WordEmbeddingWeight;
        var device = pretrainedWordEmbeddings.device;
        var model = new BertForSequenceClassification(pretrained.Config, numLabels, device);
        var targets = model.bert.named_parameters().ToDictionary(parameter => parameter.name, parameter => parameter.parameter);
        using (no_grad())
        {
            foreach (var (name, source) in pretrained.Bert.named_parameters())
            {
                targets[name].copy_(source);
            }
        }

        return model;
    }

    /// <summary>
    /// Classifies a batch from the pooled [CLS] output.
    /// </summary>
    /// <param name="inputIds">Token ids [B, T], int64.</param>
    /// <param name="tokenTypeIds">Segment ids [B, T]; null means all zeros.</param>
    /// <param name="attentionMask">[B, T], 1 real / 0 padding; null means no padding.</param>
    /// <param name="taps">Intermediate outputs to collect.</param>
    public override SequenceClassificationOutput forward(Tensor inputIds, Tensor? tokenTypeIds, Tensor? attentionMask, EncoderTaps taps)
    {
        var encoded = bert.forward(inputIds, tokenTypeIds, attentionMask, taps);
        var logits = classifier.forward(dropout.forward(encoded.PooledOutput!));
        return new SequenceClassificationOutput(logits, encoded);
    }

    /// <inheritdoc cref="BertModel.EnableAdapters"/>
    public void EnableAdapters(int size) => bert.EnableAdapters(size);

    /// <summary>
    /// Adapter tuning: freezes every parameter except adapters, LayerNorms and the task head (pooler and classifier).
    /// Throws when the model has no adapters.
    /// </summary>
    public void FreezeForAdapterTuning() =>
        AdapterTuning.Freeze(this, name => name.StartsWith("bert.pooler.", StringComparison.Ordinal) || name.StartsWith("classifier.", StringComparison.Ordinal));
}
