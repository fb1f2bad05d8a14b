using Tcd.Models.Data;
using Tcd.Models.Tests.Data;
using Tcd.Models.Evaluation;
using Tcd.Models.Modeling;
using Tcd.Models.Training;
using TorchSharp;
using static Tcd.Models.Tests.Training.PretrainerFixture;

namespace Tcd.Models.Tests.Evaluation;

public sealed class MaskFillerTests
{
    [Fact]
    public void Each_marker_becomes_the_mask_token_between_the_tokens_of_the_text_around_it()
    {
        using var model = NewModel(Vanilla);

        var (inputIds, maskPositions) = new MaskFiller(model, Encoder).Encode("Hello [MASK] world[MASK]");

        inputIds.Should().Equal(101, 7592, 103, 2088, 103, 102);
        maskPositions.Should().Equal(2, 4);
    }

    [Fact]
    public void The_guesses_are_the_most_probable_pieces_of_the_heads_softmax_at_each_mask()
    {
        using var model = NewModel(Vanilla);
        model.train();
        var filler = new MaskFiller(model, Encoder);

        var guesses = filler.Fill("the cat [MASK] on the [MASK].", top: 4);

        guesses.Should().HaveCount(2).And.OnlyContain(list => list.Count == 4);
        model.training.Should().BeTrue("the model's training mode is restored");
        var (inputIds, maskPositions) = filler.Encode("the cat [MASK] on the [MASK].");
        model.eval();
        using var noGrad = torch.no_grad();
        using var ids = torch.tensor(inputIds).unsqueeze(0);
        using var probabilities = torch.softmax(model.forward(ids, null, null, EncoderTaps.None, null).Logits[0], dim: -1);
        for (var mask = 0; mask < 2; mask++)
        {
            var expected = probabilities[maskPositions[mask]].data<float>().ToArray()
                .Select((probability, id) => (probability, id)).OrderByDescending(pair => pair.probability).Take(4).ToList();
            guesses[mask].Select(guess => guess.TokenId).Should().Equal(expected.Select(pair => pair.id));
            guesses[mask].Select(guess => (double)guess.Probability).Should().Equal(expected.Select(pair => (double)pair.probability), (a, b) => Math.Abs(a - b) < 1e-6);
            guesses[mask].Should().OnlyContain(guess => guess.Token == Encoder.Vocabulary[guess.TokenId]);
        }
    }

    [Fact]
    public void A_model_pre_trained_on_a_repeated_text_fills_in_its_word()
    {
        using var model = NewModel(Vanilla);
        var corpus = TextCorpus.FromTexts(Enumerable.Repeat("the quick brown fox jumps over the lazy dog.", 80));
        new Pretrainer(model, PretrainingObjective.MaskedLanguageModel, FastOptions(400) with { LearningRate = 5e-3 }, Encoder).Run(corpus);

        var guesses = new MaskFiller(model, Encoder).Fill("the quick brown [MASK] jumps over the lazy dog.", top: 3);

        guesses.Should().ContainSingle().Which[0].Token.Should().Be("fox", string.Join(", ", guesses[0]));
        guesses[0][0].Probability.Should().BeGreaterThan(0.5f, "the context leaves one word; an untrained head spreads its mass over 30,522");
    }

    [Fact]
    public void Text_without_a_marker_too_long_a_text_or_a_foreign_vocabulary_is_refused_with_the_reason()
    {
        using var model = NewModel(Vanilla);
        var filler = new MaskFiller(model, Encoder);
        var tooLong = string.Join(' ', Enumerable.Repeat("river", Vanilla.MaxPositions)) + " [MASK]";
        using var files = new TempFiles();
        var smallVocabulary = BertTextEncoder.FromVocabularyFile(files.Write("vocab.txt", "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nriver\n"));

        FluentActions.Invoking(() => filler.Fill("the old mill")).Should().Throw<ArgumentException>()
            .WithMessage("The text has no [MASK] to fill: write [MASK] where*");
        FluentActions.Invoking(() => filler.Fill("the old [mask]")).Should().Throw<ArgumentException>()
            .WithMessage("*no [MASK] to fill ('[MASK]' is written in capitals)*");
        FluentActions.Invoking(() => filler.Fill(tooLong)).Should().Throw<ArgumentException>()
            .WithMessage($"The text is {Vanilla.MaxPositions + 3} tokens with [CLS] and [SEP]; the model reads at most {Vanilla.MaxPositions}*");
        FluentActions.Invoking(() => filler.Fill("the [MASK]", top: 0)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => new MaskFiller(model, smallVocabulary)).Should().Throw<ArgumentException>()
            .WithMessage("The tokeniser has 6 tokens but the model's VocabSize is 30522*");
    }
}
