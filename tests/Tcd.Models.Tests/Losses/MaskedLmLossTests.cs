using Tcd.Models.Losses;
using static TorchSharp.torch;
using static Tcd.Models.Tests.Losses.TestTensors;

namespace Tcd.Models.Tests.Losses;

public class MaskedLmLossTests
{
    private const long Vocabulary = 11;

    [Fact]
    public void MatchesTorchCrossEntropyAndIgnoresMinus100()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(1);
        var logits = Random(generator, 5, Vocabulary);
        var labels = Longs(new long[] { 2, -100, 10, -100, 0 }, 5);

        var loss = MaskedLmLoss.Compute(logits, labels);

        var reference = nn.functional.cross_entropy(logits, labels, ignore_index: -100);
        Value(loss).Should().BeApproximately(Value(reference), 1e-6f);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void GradientMatchesTorchCrossEntropyWhetherOrNotEveryRowIsScored(bool everyRowScored)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(4);
        var logits = Random(generator, 5, Vocabulary).requires_grad_();
        var reference = logits.detach().clone().requires_grad_();
        var labels = Longs(everyRowScored ? new long[] { 2, 5, 10, 1, 0 } : new long[] { 2, -100, 10, -100, 0 }, 5);

        MaskedLmLoss.Compute(logits, labels).backward();
        nn.functional.cross_entropy(reference, labels, ignore_index: -100).backward();

        logits.grad!.allclose(reference.grad!, rtol: 0, atol: 1e-7).Should().BeTrue();
    }

    [Fact]
    public void IgnoredPositionsDoNotInfluenceTheLoss()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(2);
        var logits = Random(generator, 4, Vocabulary);
        var labels = Longs(new long[] { 3, -100, 7, -100 }, 4);
        var ignoredRows = Longs(new long[] { 1, 3 }, 2);
        var changed = logits.index_fill(0, ignoredRows, 1000f);

        Value(MaskedLmLoss.Compute(changed, labels)).Should().BeApproximately(Value(MaskedLmLoss.Compute(logits, labels)), 1e-6f);
    }

    [Fact]
    public void UniformLogitsGiveMinusLogVPerToken()
    {
        using var scope = NewDisposeScope();
        var logits = zeros(2, 3, Vocabulary);
        var labels = Longs(new long[] { 1, -100, 4, 5, 6, -100 }, 2, 3);

        var likelihood = MaskedLmLoss.LogLikelihood(logits, labels);

        likelihood.Count.Should().Be(4);
        likelihood.Sum.Should().BeApproximately(-4 * Math.Log(Vocabulary), 1e-5);
        likelihood.Mean.Should().BeApproximately(-Math.Log(Vocabulary), 1e-6);
        Value(MaskedLmLoss.Compute(logits, labels)).Should().BeApproximately((float)Math.Log(Vocabulary), 1e-5f);
    }

    [Fact]
    public void BatchAndSelectedLayoutsAgree()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(3);
        var logits = Random(generator, 2, 3, Vocabulary);
        var labels = Longs(new long[] { -100, 4, -100, 9, -100, 1 }, 2, 3);
        var selected = logits.reshape(6, Vocabulary).index_select(0, Longs(new long[] { 1, 3, 5 }, 3));
        var selectedLabels = Longs(new long[] { 4, 9, 1 }, 3);

        Value(MaskedLmLoss.Compute(logits, labels)).Should().BeApproximately(Value(MaskedLmLoss.Compute(selected, selectedLabels)), 1e-6f);
        MaskedLmLoss.LogLikelihood(logits, labels).Sum.Should().BeApproximately(MaskedLmLoss.LogLikelihood(selected, selectedLabels).Sum, 1e-5);
    }

    [Fact]
    public void LogLikelihoodsAggregateOverBatches()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(4);
        var first = Random(generator, 3, Vocabulary);
        var second = Random(generator, 2, Vocabulary);
        var firstLabels = Longs(new long[] { 1, 2, 3 }, 3);
        var secondLabels = Longs(new long[] { 4, -100 }, 2);

        var total = MaskedLmLoss.LogLikelihood(first, firstLabels) + MaskedLmLoss.LogLikelihood(second, secondLabels);

        var all = MaskedLmLoss.LogLikelihood(cat(new[] { first, second }, dim: 0), cat(new[] { firstLabels, secondLabels }, dim: 0));
        total.Count.Should().Be(4);
        total.Sum.Should().BeApproximately(all.Sum, 1e-5);
        total.Mean.Should().BeApproximately(-Value(MaskedLmLoss.Compute(cat(new[] { first, second }, dim: 0),
            cat(new[] { firstLabels, secondLabels }, dim: 0))), 1e-5);
    }

    [Fact]
    public void NoScoredPositionGivesZeroLossThatStillBackpropagates()
    {
        using var scope = NewDisposeScope();
        var logits = zeros(3, Vocabulary).requires_grad_();
        var labels = full(3, -100L, ScalarType.Int64);

        var loss = MaskedLmLoss.Compute(logits, labels);
        loss.backward();

        Value(loss).Should().Be(0f);
        logits.grad.Should().NotBeNull();
        MaskedLmLoss.LogLikelihood(logits, labels).Count.Should().Be(0);
        double.IsNaN(MaskedLmLoss.LogLikelihood(logits, labels).Mean).Should().BeTrue();
    }

    [Fact]
    public void HalfPrecisionLogitsAreScoredInFloat32()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(5);
        var logits = Random(generator, 4, Vocabulary);
        var labels = Longs(new long[] { 0, 1, 2, 3 }, 4);

        var loss = MaskedLmLoss.Compute(logits.to_type(ScalarType.Float16), labels);

        loss.dtype.Should().Be(ScalarType.Float32);
        Value(loss).Should().BeApproximately(Value(MaskedLmLoss.Compute(logits, labels)), 1e-2f);
    }

    [Fact]
    public void BadLabelsAndShapesThrowClearErrors()
    {
        using var scope = NewDisposeScope();
        var logits = zeros(2, Vocabulary);

        FluentActions.Invoking(() => MaskedLmLoss.Compute(logits, Longs(new long[] { 1, Vocabulary }, 2)))
            .Should().Throw<ArgumentException>().WithMessage("*[0, 11)*");
        FluentActions.Invoking(() => MaskedLmLoss.Compute(logits, Longs(new long[] { 1, 2, 3 }, 3)))
            .Should().Throw<ArgumentException>().WithMessage("*do not match*");
        FluentActions.Invoking(() => MaskedLmLoss.Compute(logits, zeros(2)))
            .Should().Throw<ArgumentException>().WithMessage("*integer*");
    }

    [Fact]
    public void A_null_tensor_is_refused_naming_it_in_the_loss_and_the_log_likelihood()
    {
        using var scope = NewDisposeScope();
        var logits = zeros(2, Vocabulary);
        var labels = Longs(new long[] { 1, 2 }, 2);

        FluentActions.Invoking(() => MaskedLmLoss.Compute(null!, labels)).Should().Throw<ArgumentNullException>().WithParameterName("logits");
        FluentActions.Invoking(() => MaskedLmLoss.Compute(logits, null!)).Should().Throw<ArgumentNullException>().WithParameterName("labels");
        FluentActions.Invoking(() => MaskedLmLoss.LogLikelihood(null!, labels)).Should().Throw<ArgumentNullException>().WithParameterName("logits");
        FluentActions.Invoking(() => MaskedLmLoss.LogLikelihood(logits, null!)).Should().Throw<ArgumentNullException>().WithParameterName("labels");
    }
}
