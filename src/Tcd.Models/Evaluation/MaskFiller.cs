using Tcd.Models.Data;
using Tcd.Models.Modeling;
using TorchSharp;

namespace Tcd.Models.Evaluation;

/// <summary>
/// Asks a pre-trained masked-LM model what belongs where a text says <c>[MASK]</c>, as Hugging Face's <c>fill-mask</c>
/// pipeline does: the text is encoded as <c>[CLS] text [SEP]</c> with the mask token at each marker, and each mask gets
/// the vocabulary's most probable word pieces. A quick look at what pre-training taught a model, and a check that an
/// imported checkpoint behaves as it did in Python.
/// </summary>
/// <param name="model">The model, in eval mode and without gradients while it fills (its training mode is restored after).</param>
/// <param name="encoder">The model's tokeniser (<see cref="BertTextEncoder.ForModelFolder"/>).</param>
public sealed class MaskFiller(BertForMaskedLm model, BertTextEncoder encoder)
{
    /// <summary>What a text writes where the model is to guess a word piece. Only this exact spelling counts.</summary>
    public const string MaskMarker = "[MASK]";

    private readonly BertForMaskedLm model = RequireMatchingVocabulary(model, encoder);

    /// <summary>
    /// The <paramref name="top"/> most probable word pieces for each <see cref="MaskMarker"/> in <paramref name="text"/>,
    /// in the order the markers appear, most probable first. The masks are guessed together, each seeing the others as
    /// masks (one forward pass), as the model saw them in pre-training.
    /// </summary>
    /// <param name="text">Text with one or more <see cref="MaskMarker"/>s, e.g. <c>"the river flows past the old [MASK]."</c>.</param>
    /// <param name="top">How many guesses per mask, 1 to the vocabulary's size.</param>
    /// <exception cref="ArgumentException">The text has no marker, or more tokens than the model's MaxPositions.</exception>
    public IReadOnlyList<IReadOnlyList<MaskedTokenGuess>> Fill(string text, int top = 5)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfLessThan(top, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(top, encoder.VocabularySize);
        var (inputIds, maskPositions) = Encode(text);

        var device = model.parameters().First().device;
        var wasTraining = model.training;
        model.eval();
        try
        {
            using var noGrad = torch.no_grad();
            using var scope = torch.NewDisposeScope();
            var ids = torch.tensor(inputIds, dtype: torch.ScalarType.Int64, device: device).unsqueeze(0);
            var positions = torch.tensor(maskPositions, dtype: torch.ScalarType.Int64, device: device);
            var logits = model.forward(ids, null, null, EncoderTaps.None, positions).Logits;
            var (probabilities, tokenIds) = torch.softmax(logits.to(torch.ScalarType.Float32), dim: -1).topk(top, dim: -1);
            var chosenProbabilities = probabilities.cpu().data<float>().ToArray();
            var chosenIds = tokenIds.cpu().data<long>().ToArray();
            return Enumerable.Range(0, maskPositions.Length)
                .Select(mask => (IReadOnlyList<MaskedTokenGuess>)Enumerable.Range(mask * top, top)
                    .Select(i => new MaskedTokenGuess(encoder.Vocabulary[(int)chosenIds[i]], (int)chosenIds[i], chosenProbabilities[i]))
                    .ToList())
                .ToList();
        }
        finally
        {
            model.train(wasTraining);
        }
    }

    /// <summary>
    /// <c>[CLS] text [SEP]</c> with the mask token at each marker, and the markers' positions. The text between markers
    /// is tokenised on its own, so a marker always stands for a whole word piece, never for part of a word.
    /// </summary>
    internal (long[] InputIds, long[] MaskPositions) Encode(string text)
    {
        var pieces = text.Split(MaskMarker, StringSplitOptions.None);
        if (pieces.Length == 1)
        {
            var lowerCase = text.Contains(MaskMarker, StringComparison.OrdinalIgnoreCase) ? $" ('{MaskMarker}' is written in capitals)" : "";
            throw new ArgumentException(
                $"The text has no {MaskMarker} to fill{lowerCase}: write {MaskMarker} where the model is to guess a word, e.g. 'the river flows past the old {MaskMarker}.'",
                nameof(text));
        }

        var special = encoder.SpecialTokenIds;
        var inputIds = new List<long> { special.Cls };
        var maskPositions = new List<long>(pieces.Length - 1);
        for (var i = 0; i < pieces.Length; i++)
        {
            if (i > 0)
            {
                maskPositions.Add(inputIds.Count);
                inputIds.Add(special.Mask);
            }

            inputIds.AddRange(encoder.Tokenize(pieces[i]).Select(id => (long)id));
        }

        inputIds.Add(special.Sep);
        if (inputIds.Count > model.Config.MaxPositions)
        {
            // Cutting the text could cut a mask off; the caller chooses what to leave out.
            throw new ArgumentException(
                $"The text is {inputIds.Count} tokens with [CLS] and [SEP]; the model reads at most {model.Config.MaxPositions} (its MaxPositions). Shorten it.",
                nameof(text));
        }

        return (inputIds.ToArray(), maskPositions.ToArray());
    }

    private static BertForMaskedLm RequireMatchingVocabulary(BertForMaskedLm model, BertTextEncoder encoder)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(encoder);
        model.Config.RequireVocabulary(encoder.VocabularySize, "model");
        return model;
    }
}
