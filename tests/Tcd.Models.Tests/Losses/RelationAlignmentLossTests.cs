using Tcd.Models.Losses;
using static TorchSharp.torch;
using static Tcd.Models.Tests.Losses.TestTensors;

namespace Tcd.Models.Tests.Losses;

public class RelationAlignmentLossTests
{
    [Fact]
    public void IdenticalStudentAndTeacherGiveZero()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(1);
        var taps = Enumerable.Range(0, 4).Select(_ => Random(generator, 2, 8, 16)).ToArray();
        var sample = Longs(Enumerable.Range(0, 16).Select(i => (long)i).ToArray(), 2, 8);

        var loss = RelationAlignmentLoss.Compute(taps, taps, sample, LayerMapping.Identity(2));

        Value(loss).Should().BeLessThan(1e-7f);
    }

    [Fact]
    public void DifferentStudentGivesPositiveLoss()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(2);
        var teacher = Enumerable.Range(0, 2).Select(_ => Random(generator, 2, 8, 16)).ToArray();
        var student = Enumerable.Range(0, 2).Select(_ => Random(generator, 2, 8, 16)).ToArray();
        var sample = Longs(Enumerable.Range(0, 16).Select(i => (long)i).ToArray(), 2, 8);

        Value(RelationAlignmentLoss.Compute(student, teacher, sample, LayerMapping.Identity(1))).Should().BeGreaterThan(0.01f);
    }

    [Fact]
    public void MatchesAHandComputedExample()
    {
        using var scope = NewDisposeScope();
        // Student a=(1,0), b=(0,1), c=(1,1): cos(a,b)=0, cos(a,c)=cos(b,c)=1/√2.
        var student = Floats(new[] { 1f, 0f, 0f, 1f, 1f, 1f }, 1, 3, 2);
        // Teacher a=(1,0), b=(1,0), c=(0,2): cos(a,b)=1, cos(a,c)=cos(b,c)=0.
        var teacher = Floats(new[] { 1f, 0f, 1f, 0f, 0f, 2f }, 1, 3, 2);
        var sample = Longs(new long[] { 0, 1, 2 }, 1, 3);

        var loss = RelationAlignmentLoss.ForPosition(student, teacher, sample);

        // Squared errors: (0−1)² twice, (1/√2)² four times, diagonal 0 → 2 + 4 · 0.5 = 4 over 9 entries.
        Value(loss).Should().BeApproximately(4f / 9f, 1e-6f);
    }

    [Fact]
    public void LossIsTheSumOverPositionsOfTheMeanOverGroups()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(3);
        var student = new[] { Random(generator, 1, 6, 4), Random(generator, 1, 6, 4) };
        var teacher = new[] { Random(generator, 1, 6, 5), Random(generator, 1, 6, 5) };
        var sample = Longs(new long[] { 0, 1, 2, 3, 4, 5 }, 2, 3);
        var firstGroup = Longs(new long[] { 0, 1, 2 }, 1, 3);
        var secondGroup = Longs(new long[] { 3, 4, 5 }, 1, 3);

        var expected = Enumerable.Range(0, 2).Sum(position =>
            (Value(RelationAlignmentLoss.ForPosition(student[position], teacher[position], firstGroup))
             + Value(RelationAlignmentLoss.ForPosition(student[position], teacher[position], secondGroup))) / 2);

        Value(RelationAlignmentLoss.Compute(student, teacher, sample, LayerMapping.Identity(1))).Should().BeApproximately(expected, 1e-6f);
    }

    [Fact]
    public void WiderStudentWithTheTeachersVectorsZeroPaddedGivesZero()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(4);
        var teacher = Random(generator, 2, 6, 8);
        var student = cat(new[] { teacher, zeros(2, 6, 8) }, dim: 2);
        var sample = Longs(new long[] { 0, 3, 5, 7, 8, 11 }, 2, 3);

        Value(RelationAlignmentLoss.ForPosition(student, teacher, sample)).Should().BeLessThan(1e-7f);
    }

    [Fact]
    public void ExtraPaddingDoesNotChangeTheLossForTheSameTokens()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(5);
        var student = Random(generator, 2, 5, 4);
        var teacher = Random(generator, 2, 5, 6);
        (long Row, long Position)[] tokens = [(0, 0), (0, 4), (1, 1), (1, 3)];

        var loss = RelationAlignmentLoss.ForPosition(student, teacher, FlatSample(tokens, length: 5));
        var padded = RelationAlignmentLoss.ForPosition(
            PadSequence(student, sequenceDim: 1, newLength: 9, fill: 123f),
            PadSequence(teacher, sequenceDim: 1, newLength: 9, fill: -7f),
            FlatSample(tokens, length: 9));

        Value(padded).Should().BeApproximately(Value(loss), 1e-7f);
    }

    [Fact]
    public void GradientsReachTheStudentButNeverTheTeacher()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(6);
        var student = Random(generator, 2, 4, 8).requires_grad_();
        var teacher = Random(generator, 2, 4, 8).requires_grad_();
        var sample = Longs(new long[] { 0, 2, 4, 6, 1, 3, 5, 7 }, 2, 4);

        RelationAlignmentLoss.Compute(new[] { student }, new[] { teacher }, sample, LayerMapping.Identity(1)).backward();

        student.grad.Should().NotBeNull();
        Value(student.grad!.abs().sum()).Should().BeGreaterThan(0f);
        teacher.grad.Should().BeNull();
    }

    [Theory]
    [InlineData(new long[] { 0, 4, 7, 9, 14, 2, 5, 8, 11, 13 })]
    [InlineData(new long[] { 0, 4, 7, 9, 14, 2, 4, 8, 0, 13 })] // tokens 0 and 4 drawn twice: their gradients add up
    public void GradientMatchesTheTextbookFormula(long[] flatSample)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(8);
        var student = Random(generator, 3, 5, 6).to_type(ScalarType.Float64).requires_grad_();
        var teacher = Random(generator, 3, 5, 4).to_type(ScalarType.Float64);
        var sample = Longs(flatSample, 2, 5);

        var loss = RelationAlignmentLoss.ForPosition(student, teacher, sample);
        loss.backward();

        // Plain autograd through both factors of U Uᵀ: MSE of cosine matrices, averaged over groups.
        var reference = student.detach().clone().requires_grad_();
        Tensor Cosines(Tensor hidden)
        {
            var vectors = hidden.reshape(-1, hidden.shape[2]).index_select(0, sample.reshape(-1)).view(2, 5, -1);
            var unit = vectors / vectors.norm(dim: -1, keepdim: true);
            return unit.matmul(unit.transpose(1, 2));
        }

        var expected = (Cosines(reference) - Cosines(teacher)).square().mean();
        expected.backward();

        loss.item<double>().Should().BeApproximately(expected.item<double>(), 1e-15);
        (student.grad! - reference.grad!).abs().max().item<double>().Should().BeLessThan(1e-15);
        reference.grad!.abs().max().item<double>().Should().BeGreaterThan(1e-4);
    }

    [Fact]
    public void WithoutGradientsTheValueIsTheSameAndNoGraphIsBuilt()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(9);
        var student = Random(generator, 2, 6, 8).requires_grad_();
        var teacher = Random(generator, 2, 6, 8);
        var sample = Longs(new long[] { 0, 3, 5, 7, 8, 11 }, 2, 3);

        var withGradient = RelationAlignmentLoss.ForPosition(student, teacher, sample);
        Tensor withoutGradient;
        using (no_grad())
        {
            withoutGradient = RelationAlignmentLoss.ForPosition(student, teacher, sample);
        }

        var frozenStudent = RelationAlignmentLoss.ForPosition(student.detach(), teacher, sample);

        withGradient.requires_grad.Should().BeTrue();
        withoutGradient.requires_grad.Should().BeFalse();
        frozenStudent.requires_grad.Should().BeFalse();
        Value(withoutGradient).Should().Be(Value(withGradient));
        Value(frozenStudent).Should().Be(Value(withGradient));
    }

    [Fact]
    public void GradientOfAnFp32StudentAgainstAnFp64TeacherMatchesAutogradInFp64()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(10);
        var student = Random(generator, 2, 8, 6).requires_grad_();
        var teacher = Random(generator, 2, 8, 5).to_type(ScalarType.Float64);
        var sample = Longs(new long[] { 1, 2, 4, 6, 9, 10, 12, 15 }, 2, 4);

        var loss = RelationAlignmentLoss.ForPosition(student, teacher, sample);
        loss.backward();
        var reference = student.detach().to_type(ScalarType.Float64).requires_grad_();
        var expected = RelationAlignmentLoss.ForPosition(reference, teacher, sample);
        expected.backward();

        loss.dtype.Should().Be(ScalarType.Float64);
        loss.item<double>().Should().BeApproximately(expected.item<double>(), 1e-6 * expected.item<double>());
        student.grad!.dtype.Should().Be(ScalarType.Float32);
        (student.grad!.to_type(ScalarType.Float64) - reference.grad!).abs().max().item<double>()
            .Should().BeLessThan(1e-5 * reference.grad!.abs().max().item<double>());
    }

    [Fact]
    public void ZeroVectorsAndHalfPrecisionStayFinite()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(7);
        var teacher = Random(generator, 1, 4, 8);
        var student = teacher.index_fill(1, Longs(new long[] { 2 }, 1), 0f).to_type(ScalarType.Float16).requires_grad_();
        var sample = Longs(new long[] { 0, 1, 2, 3 }, 1, 4);

        var loss = RelationAlignmentLoss.ForPosition(student, teacher, sample);
        loss.backward();

        loss.dtype.Should().Be(ScalarType.Float32);
        float.IsFinite(Value(loss)).Should().BeTrue();
        Value(loss).Should().BeGreaterThan(0f); // the zero vector has cosine 0 where the teacher's has not
        student.grad!.isfinite().all().item<bool>().Should().BeTrue();
        Value(student.grad![0, 2].abs().sum()).Should().Be(0f); // a zero vector has no direction to move along
    }

    [Fact]
    public void LayerMappingPairsAShallowStudentWithTheMappedTeacherTaps()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(8);
        var teacher = Enumerable.Range(0, 8).Select(_ => Random(generator, 1, 6, 4)).ToArray(); // 4 layers × 2 taps
        var student = new[] { teacher[2], teacher[3], teacher[6], teacher[7] };                // teacher layers 1 and 3
        var sample = Longs(new long[] { 0, 1, 2, 3, 4, 5 }, 1, 6);

        Value(RelationAlignmentLoss.Compute(student, teacher, sample, new LayerMapping(2, 4))).Should().BeLessThan(1e-7f);
    }

    [Fact]
    public void TapCountsThatDoNotFitTheMappingThrow()
    {
        using var scope = NewDisposeScope();
        var taps = Enumerable.Range(0, 3).Select(_ => zeros(1, 4, 2)).ToArray();
        var sample = Longs(new long[] { 0, 1 }, 1, 2);

        FluentActions.Invoking(() => RelationAlignmentLoss.Compute(taps, taps, sample, LayerMapping.Identity(2)))
            .Should().Throw<ArgumentException>().WithMessage("*3 student and 3 teacher hidden-state taps*");
        FluentActions.Invoking(() => RelationAlignmentLoss.ForPosition(zeros(1, 4, 2), zeros(1, 5, 2), sample))
            .Should().Throw<ArgumentException>().WithMessage("*same B and T*");
    }

    private static Tensor FlatSample((long Row, long Position)[] tokens, long length) =>
        Longs(tokens.Select(token => token.Row * length + token.Position).ToArray(), 1, tokens.Length);
}
