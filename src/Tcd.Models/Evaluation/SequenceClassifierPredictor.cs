using Tcd.Models.Data;
using Tcd.Models.Modeling;
using TorchSharp;

namespace Tcd.Models.Evaluation;

/// <summary>
/// Runs a <see cref="BertForSequenceClassification"/> over encoded inputs in batches, in eval mode and without gradients,
/// on the device its weights are on: one row of outputs per input (each class's logit, or the single regression output).
/// </summary>
/// <param name="model">The classifier; its training mode is restored after each call.</param>
/// <param name="specialTokens">The vocabulary's special tokens (padding fills the batches).</param>
public sealed class SequenceClassifierPredictor(BertForSequenceClassification model, SpecialTokenIds specialTokens)
{
    private readonly BatchCollator collator = new(specialTokens ?? throw new ArgumentNullException(nameof(specialTokens)));

    /// <summary>The classifier the predictions come from.</summary>
    public BertForSequenceClassification Model { get; } = model ?? throw new ArgumentNullException(nameof(model));

    /// <summary>
    /// Returns one row of outputs per input, in input order; the outputs do not depend on <paramref name="batchSize"/>
    /// or on the other inputs (beyond float rounding, ≈1e-6). The inputs are batched by length
    /// (<see cref="LengthOrderedBatches"/>), so that each batch is padded to a length near its rows' own.
    /// </summary>
    /// <param name="inputs">Encoded texts (at most the model's MaxPositions tokens each).</param>
    /// <param name="batchSize">Inputs per forward pass.</param>
    /// <param name="progress">Receives the number of inputs done after each batch.</param>
    /// <param name="cancellationToken">Checked before each batch.</param>
    /// <exception cref="ArgumentException">An input is longer than the model's MaxPositions or has a token id its vocabulary lacks.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled; nothing is returned.</exception>
    public float[][] Predict(IReadOnlyList<EncodedText> inputs, int batchSize = 32, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        RequireInputsFit(Model.Config, inputs, Model.Config.MaxPositions, $"model MaxPositions {Model.Config.MaxPositions}", nameof(inputs));
        var device = Model.parameters().First().device;
        var wasTraining = Model.training;
        Model.eval();
        try
        {
            using var noGrad = torch.no_grad();
            return LengthOrderedBatches.Run(inputs, batchSize, chunk =>
            {
                using var scope = torch.NewDisposeScope();
                using var batch = collator.Collate(chunk, device);
                var logits = Model.forward(batch.InputIds, batch.TokenTypeIds, batch.AttentionMask, EncoderTaps.None).Logits;
                var flat = logits.to(torch.ScalarType.Float32).cpu().data<float>().ToArray();
                return Enumerable.Range(0, chunk.Count).Select(i => flat.AsSpan(i * Model.NumLabels, Model.NumLabels).ToArray()).ToList();
            }, progress, cancellationToken);
        }
        finally
        {
            Model.train(wasTraining);
        }
    }

    /// <summary>Each class's probability from one row of class logits (a softmax, stable for large logits).</summary>
    public static float[] Probabilities(float[] logits)
    {
        ArgumentNullException.ThrowIfNull(logits);
        var max = logits.Max();
        var exponentials = logits.Select(logit => MathF.Exp(logit - max)).ToArray();
        var sum = exponentials.Sum();
        return exponentials.Select(value => value / sum).ToArray();
    }

    /// <summary>
    /// Refuses inputs the model cannot embed before libtorch does so with "index out of range in self": one longer than
    /// <paramref name="maxLength"/> (whose origin <paramref name="limits"/> names), or one with a token id outside the vocabulary.
    /// </summary>
    internal static void RequireInputsFit(BertConfig config, IReadOnlyList<EncodedText> inputs, int maxLength, string limits, string parameterName)
    {
        for (var i = 0; i < inputs.Count; i++)
        {
            var input = inputs[i];
            if (input.Length > maxLength)
            {
                throw new ArgumentException(
                    $"Example {i} has {input.Length} tokens; at most {maxLength} fit ({limits}). " +
                    $"Encode it with BertTextEncoder.Encode(text, pair, maxSequenceLength: {maxLength}).",
                    parameterName);
            }

            if (input.Length > 0)
            {
                config.RequireTokenIdFits(input.InputIds.Max(), $"Example {i}", "model");
            }
        }
    }
}
