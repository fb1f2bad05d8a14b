using Tcd.Models.Losses;
using static TorchSharp.torch;
using static Tcd.Models.Tests.Losses.TestTensors;

namespace Tcd.Models.Tests.Losses;

public class AttentionRelationLossTests
{
    [Fact]
    public void IdenticalStudentAndTeacherGiveZero()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(1);
        var queries = Enumerable.Range(0, 2).Select(_ => Random(generator, 2, 4, 6, 8)).ToArray();
        var keys = Enumerable.Range(0, 2).Select(_ => Random(generator, 2, 4, 6, 8)).ToArray();
        var mask = Mask(6, 6, 3);

        Value(AttentionRelationLoss.Compute(queries, keys, queries, keys, mask, LayerMapping.Identity(2))).Should().BeLessThan(1e-7f);
    }

    [Fact]
    public void DifferentStudentGivesPositiveLoss()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(2);
        var student = Random(generator, 2, 4, 6, 8);
        var teacher = Random(generator, 2, 4, 6, 8);

        Value(AttentionRelationLoss.ForLayer(student, student, teacher, teacher, Mask(6, 6, 4))).Should().BeGreaterThan(0.01f);
    }

    [Fact]
    public void MatchesAHandComputedExample()
    {
        using var scope = NewDisposeScope();
        // Student q=[(1,0),(0,1)], k=[(1,0),(1,1)]: cosines [[1, 1/√2], [0, 1/√2]].
        var studentQuery = Floats(new[] { 1f, 0f, 0f, 1f }, 1, 1, 2, 2);
        var studentKey = Floats(new[] { 1f, 0f, 1f, 1f }, 1, 1, 2, 2);
        // Teacher q=[(1,0),(1,0)], k=[(0,1),(1,0)]: cosines [[0, 1], [0, 1]].
        var teacherQuery = Floats(new[] { 1f, 0f, 1f, 0f }, 1, 1, 2, 2);
        var teacherKey = Floats(new[] { 0f, 1f, 1f, 0f }, 1, 1, 2, 2);

        var loss = AttentionRelationLoss.ForLayer(studentQuery, studentKey, teacherQuery, teacherKey, Mask(2, 2));

        // (1 − 0)² + 2 · (1/√2 − 1)² + 0 = 4 − 2√2, over M² = 4 entries.
        Value(loss).Should().BeApproximately((float)((4 - 2 * Math.Sqrt(2)) / 4), 1e-6f);
    }

    [Fact]
    public void EachSequenceIsAveragedOverItsOwnTokensThenOverHeadsAndSequences()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(3);
        var lengths = new long[] { 3, 2 };
        var parts = lengths.Select(length => Enumerable.Range(0, 4).Select(_ => Random(generator, 1, 2, length, 4)).ToArray()).ToArray();
        var alone = parts.Select(p => Value(AttentionRelationLoss.ForLayer(p[0], p[1], p[2], p[3], Mask(p[0].shape[2], p[0].shape[2]))));

        Tensor Batched(int which) =>
            cat(parts.Select(p => PadSequence(p[which], sequenceDim: 2, newLength: 4, fill: 0.5f)).ToArray(), dim: 0);
        var batched = AttentionRelationLoss.ForLayer(Batched(0), Batched(1), Batched(2), Batched(3), Mask(4, lengths));

        Value(batched).Should().BeApproximately(alone.Average(), 1e-6f);
    }

    [Fact]
    public void GradientsMatchTheTextbookFormula()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(11);
        var query = Random(generator, 3, 2, 5, 4).to_type(ScalarType.Float64).requires_grad_();
        var key = Random(generator, 3, 2, 5, 4).to_type(ScalarType.Float64).requires_grad_();
        var teacherQuery = Random(generator, 3, 2, 5, 6).to_type(ScalarType.Float64);
        var teacherKey = Random(generator, 3, 2, 5, 6).to_type(ScalarType.Float64);
        var lengths = new long[] { 5, 3, 0 };
        var mask = Mask(5, lengths);

        var loss = AttentionRelationLoss.ForLayer(query, key, teacherQuery, teacherKey, mask);
        loss.backward();

        // Plain autograd, sequence by sequence over its real tokens: mean over heads of the M × M cosine MSE, then
        // the mean over the sequences that have real tokens.
        var referenceQuery = query.detach().clone().requires_grad_();
        var referenceKey = key.detach().clone().requires_grad_();
        Tensor Cosines(Tensor q, Tensor k)
        {
            var unitQuery = q / q.norm(dim: -1, keepdim: true);
            var unitKey = k / k.norm(dim: -1, keepdim: true);
            return unitQuery.matmul(unitKey.transpose(-2, -1));
        }

        var perSequence = lengths.Select((length, b) => (length, b)).Where(s => s.length > 0).Select(s =>
        {
            Tensor Real(Tensor t) => t[s.b].narrow(1, 0, s.length);
            return (Cosines(Real(referenceQuery), Real(referenceKey)) - Cosines(Real(teacherQuery), Real(teacherKey))).square().mean();
        }).ToArray();
        var expected = stack(perSequence).mean();
        expected.backward();

        loss.item<double>().Should().BeApproximately(expected.item<double>(), 1e-15);
        (query.grad! - referenceQuery.grad!).abs().max().item<double>().Should().BeLessThan(1e-15);
        (key.grad! - referenceKey.grad!).abs().max().item<double>().Should().BeLessThan(1e-15);
        referenceKey.grad!.abs().max().item<double>().Should().BeGreaterThan(1e-4);
        query.grad![1].narrow(1, 3, 2).abs().max().item<double>().Should().Be(0, "padding gets no gradient");
    }

    [Fact]
    public void AllPaddingSequencesAreLeftOutOfTheMean()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(9);
        var student = Random(generator, 2, 2, 4, 4);
        var teacher = Random(generator, 2, 2, 4, 4);
        var first = Longs(new long[] { 0 }, 1);

        var batched = AttentionRelationLoss.ForLayer(student, student, teacher, teacher, Mask(4, 4, 0));
        var alone = AttentionRelationLoss.ForLayer(
            student.index_select(0, first), student.index_select(0, first), teacher.index_select(0, first),
            teacher.index_select(0, first), Mask(4, 4));

        Value(batched).Should().BeApproximately(Value(alone), 1e-6f);
    }

    [Fact]
    public void PaddingValuesDoNotChangeTheLossOrTheGradients()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(4);
        var sq = Random(generator, 2, 2, 5, 4);
        var sk = Random(generator, 2, 2, 5, 4);
        var tq = Random(generator, 2, 2, 5, 6);
        var tk = Random(generator, 2, 2, 5, 6);
        var mask = Mask(5, 5, 3);
        var loss = AttentionRelationLoss.ForLayer(sq, sk, tq, tk, mask);

        var paddedQuery = PadSequence(sq, sequenceDim: 2, newLength: 8, fill: float.NaN).requires_grad_();
        var paddedLoss = AttentionRelationLoss.ForLayer(
            paddedQuery,
            PadSequence(sk, sequenceDim: 2, newLength: 8, fill: 1e6f),
            PadSequence(tq, sequenceDim: 2, newLength: 8, fill: -3f),
            PadSequence(tk, sequenceDim: 2, newLength: 8, fill: float.PositiveInfinity),
            cat(new[] { mask, zeros(2, 3, ScalarType.Int64) }, dim: 1));
        paddedLoss.backward();

        Value(paddedLoss).Should().BeApproximately(Value(loss), 1e-6f);
        paddedQuery.grad!.isfinite().all().item<bool>().Should().BeTrue();
    }

    [Fact]
    public void HeadSizeDoesNotMatterForZeroPaddedVectors()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(5);
        var teacherQuery = Random(generator, 2, 2, 5, 8);
        var teacherKey = Random(generator, 2, 2, 5, 8);
        var studentQuery = cat(new[] { teacherQuery, zeros(2, 2, 5, 8) }, dim: 3);
        var studentKey = cat(new[] { teacherKey, zeros(2, 2, 5, 8) }, dim: 3);

        Value(AttentionRelationLoss.ForLayer(studentQuery, studentKey, teacherQuery, teacherKey, Mask(5, 5, 2)))
            .Should().BeLessThan(1e-7f);
    }

    [Fact]
    public void GradientsReachTheStudentButNeverTheTeacher()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(6);
        var sq = Random(generator, 1, 2, 4, 4).requires_grad_();
        var sk = Random(generator, 1, 2, 4, 4).requires_grad_();
        var tq = Random(generator, 1, 2, 4, 4).requires_grad_();
        var tk = Random(generator, 1, 2, 4, 4).requires_grad_();

        AttentionRelationLoss.Compute(new[] { sq }, new[] { sk }, new[] { tq }, new[] { tk }, Mask(4, 4), LayerMapping.Identity(1)).backward();

        Value(sq.grad!.abs().sum()).Should().BeGreaterThan(0f);
        Value(sk.grad!.abs().sum()).Should().BeGreaterThan(0f);
        tq.grad.Should().BeNull();
        tk.grad.Should().BeNull();
    }

    [Fact]
    public void HalfPrecisionIsComputedInFloat32()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(7);
        var sq = Random(generator, 1, 2, 4, 4);
        var tq = Random(generator, 1, 2, 4, 4);
        var mask = Mask(4, 4);

        var half = AttentionRelationLoss.ForLayer(sq.to_type(ScalarType.Float16), sq.to_type(ScalarType.Float16), tq, tq, mask);

        half.dtype.Should().Be(ScalarType.Float32);
        Value(half).Should().BeApproximately(Value(AttentionRelationLoss.ForLayer(sq, sq, tq, tq, mask)), 1e-3f);
    }

    [Fact]
    public void LayersAreSummedThroughTheLayerMapping()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(8);
        var teacherQueries = Enumerable.Range(0, 4).Select(_ => Random(generator, 1, 2, 3, 4)).ToArray();
        var teacherKeys = Enumerable.Range(0, 4).Select(_ => Random(generator, 1, 2, 3, 4)).ToArray();
        var studentQueries = new[] { Random(generator, 1, 2, 3, 4), teacherQueries[3] };
        var studentKeys = new[] { Random(generator, 1, 2, 3, 4), teacherKeys[3] };
        var mask = Mask(3, 3);

        var loss = AttentionRelationLoss.Compute(studentQueries, studentKeys, teacherQueries, teacherKeys, mask, new LayerMapping(2, 4));

        // Student layer 0 ↔ teacher layer 1 (differs), student layer 1 ↔ teacher layer 3 (identical, contributes 0).
        var expected = AttentionRelationLoss.ForLayer(studentQueries[0], studentKeys[0], teacherQueries[1], teacherKeys[1], mask);
        Value(loss).Should().BeApproximately(Value(expected), 1e-6f);
        Value(loss).Should().BeGreaterThan(0f);
    }

    [Fact]
    public void DifferentHeadCountsThrowAClearConfigurationError()
    {
        using var scope = NewDisposeScope();
        var student = zeros(1, 4, 3, 8);
        var teacher = zeros(1, 2, 3, 8);

        FluentActions.Invoking(() => AttentionRelationLoss.ForLayer(student, student, teacher, teacher, Mask(3, 3)))
            .Should().Throw<ArgumentException>()
            .WithMessage("*student has 4*teacher 2*λ_A*0*");
    }
}
