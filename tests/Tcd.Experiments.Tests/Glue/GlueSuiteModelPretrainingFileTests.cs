using Tcd.Experiments.Glue;

namespace Tcd.Experiments.Tests.Glue;

public sealed class GlueSuiteModelPretrainingFileTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("tcd-pretraining-json-").FullName;

    private string PretrainingFile => Path.Combine(folder, GlueSuiteModel.PretrainingFileName);

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Theory]
    [InlineData(-2.33)]
    [InlineData(-8.544123456789012)]
    [InlineData(0.0)]
    public void WrittenLogLikelihood_ReadsBackExactly(double logLikelihood)
    {
        GlueSuiteModel.WritePretrainingLogLikelihood(folder, logLikelihood);

        GlueSuiteModel.ReadPretrainingLogLikelihood(folder).Should().Be(new PretrainingLogLikelihood(logLikelihood, PerSegmentMasks: true));
    }

    [Fact]
    public void AFileOfAnEarlierVersion_IsReadAndMarkedAsScoredOnOtherMasks()
    {
        File.WriteAllText(PretrainingFile, "{\"validation_log_likelihood\": -2.33}");

        GlueSuiteModel.ReadPretrainingLogLikelihood(folder).Should().Be(new PretrainingLogLikelihood(-2.33, PerSegmentMasks: false));
    }

    [Fact]
    public void FolderWithoutTheFile_HasNoLogLikelihood()
    {
        GlueSuiteModel.ReadPretrainingLogLikelihood(folder).Should().BeNull();
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.NegativeInfinity)]
    public void MissingOrInfiniteScore_IsNotWritten(double logLikelihood)
    {
        var write = () => GlueSuiteModel.WritePretrainingLogLikelihood(folder, logLikelihood);

        write.Should().Throw<ArgumentOutOfRangeException>().WithMessage($"*'{folder}' must be a finite number*");
        File.Exists(PretrainingFile).Should().BeFalse("a file that is not written cannot be read back as a score");
    }

    [Theory]
    [InlineData("-2.33")]
    [InlineData("{\"validation_log_likelihood\": \"NaN\"}")]
    [InlineData("{\"validation_log_likelihood\": 1e400}")]
    [InlineData("{\"other\": -2.33}")]
    [InlineData("{\"validation_log_likelihood\": ")]
    public void MalformedFile_IsAnErrorNamingTheFileAndItsForm(string contents)
    {
        File.WriteAllText(PretrainingFile, contents);

        var read = () => GlueSuiteModel.ReadPretrainingLogLikelihood(folder);

        read.Should().Throw<InvalidDataException>()
            .WithMessage($"'{PretrainingFile}' must be a JSON object with a number 'validation_log_likelihood', e.g. {{\"validation_log_likelihood\": -2.33}}: *");
    }
}
