using System.Globalization;

namespace Tcd.Reports.Tests;

public sealed class ResultsTableTests
{
    /// <summary>2 models × 2 tasks: one cell with ± std, one missing cell.</summary>
    private static ResultsTable SmallTable()
    {
        var table = new ResultsTable(["MRPC", "RTE"]);
        table.AddRow("Teacher").Set("MRPC", 86.14, std: 0.52).Set("RTE", 68.2);
        table.AddRow("TCD").Set("MRPC", 85.7);
        return table;
    }

    [Fact]
    public void MarkdownIsAGitHubTableWithDashForMissingCells()
    {
        SmallTable().ToMarkdown().Should().Be(
            "| Model | MRPC | RTE |\n" +
            "| :--- | ---: | ---: |\n" +
            "| Teacher | 86.1 ± 0.5 | 68.2 |\n" +
            "| TCD | 85.7 | – |\n");
    }

    [Fact]
    public void CsvKeepsFullPrecisionPutsStdInItsOwnColumnAndLeavesMissingCellsEmpty()
    {
        SmallTable().ToCsv().Should().Be(
            "Model,MRPC,MRPC std,RTE\r\n" +
            "Teacher,86.14,0.52,68.2\r\n" +
            "TCD,85.7,,\r\n");
    }

    [Fact]
    public void JsonIsIndentedWithNullForMissingCellsAndStds()
    {
        SmallTable().ToJson().Should().Be(
            """
            {
              "columns": [
                "MRPC",
                "RTE"
              ],
              "rows": [
                {
                  "model": "Teacher",
                  "values": {
                    "MRPC": {
                      "mean": 86.14,
                      "std": 0.52
                    },
                    "RTE": {
                      "mean": 68.2,
                      "std": null
                    }
                  }
                },
                {
                  "model": "TCD",
                  "values": {
                    "MRPC": {
                      "mean": 85.7,
                      "std": null
                    },
                    "RTE": null
                  }
                }
              ]
            }

            """.ReplaceLineEndings("\n"));
    }

    [Fact]
    public void TextIsFixedWidthWithNumbersRightAligned()
    {
        SmallTable().ToText().Should().Be(
            "Model          MRPC   RTE\n" +
            "-------  ----------  ----\n" +
            "Teacher  86.1 ± 0.5  68.2\n" +
            "TCD            85.7     –\n");
    }

    [Fact]
    public void NotedCellsAreMarkedByNumberWithTheNotesUnderTheTable_AndTheJsonCellHoldsItsNote()
    {
        var table = SmallTable();
        table.AddRow("MoE").Set("MRPC", 81.2).Set("RTE", 52.7);
        table.AddNote("TCD", "MRPC", "every dev prediction is the class '1'");
        table.AddNote("MoE", "RTE", "every dev prediction is the class 'entailment'");
        table.AddNote("MoE", "MRPC", "every dev prediction is the class '1'");

        table.ToMarkdown().Should().Be(
            "| Model | MRPC | RTE |\n" +
            "| :--- | ---: | ---: |\n" +
            "| Teacher | 86.1 ± 0.5 | 68.2 |\n" +
            "| TCD | 85.7 [1] | – |\n" +
            "| MoE | 81.2 [1] | 52.7 [2] |\n" +
            "\n" +
            "[1] every dev prediction is the class '1'\n" +
            "[2] every dev prediction is the class 'entailment'\n");
        table.ToText().Should().Contain("TCD        85.7 [1]").And.EndWith("\n[2] every dev prediction is the class 'entailment'\n");
        table.ToCsv().Should().NotContain("[1]").And.NotContain("every dev prediction");
        using var json = System.Text.Json.JsonDocument.Parse(table.ToJson());
        var values = json.RootElement.GetProperty("rows")[2].GetProperty("values");
        values.GetProperty("RTE").GetProperty("note").GetString().Should().Be("every dev prediction is the class 'entailment'");
        json.RootElement.GetProperty("rows")[0].GetProperty("values").GetProperty("MRPC").TryGetProperty("note", out _).Should().BeFalse();
        FluentActions.Invoking(() => table.AddNote("BERT", "MRPC", "no such row")).Should().Throw<ArgumentException>().WithMessage("*no row 'BERT'*");
    }

    [Fact]
    public void CsvQuotesNamesWithCommasAndQuotesAndMarkdownEscapesPipes()
    {
        var table = new ResultsTable(["Pre-training LL", "MRPC"]);
        table.AddRow("TCD, λ=0.5").Set("Pre-training LL", -1.6321).Set("MRPC", 85);
        table.AddRow("MoE \"switch\" | 4 experts").Set("MRPC", 84.26);
        table.SetColumnDecimals("Pre-training LL", 2);

        table.ToCsv().Should().Be(
            "Model,Pre-training LL,MRPC\r\n" +
            "\"TCD, λ=0.5\",-1.6321,85\r\n" +
            "\"MoE \"\"switch\"\" | 4 experts\",,84.26\r\n");
        table.ToMarkdown().Should().Contain("| TCD, λ=0.5 | -1.63 | 85.0 |\n").And.Contain("| MoE \"switch\" \\| 4 experts | – | 84.3 |\n");
    }

    [Fact]
    public void DecimalsAreConfigurableAndCultureDoesNotMatter()
    {
        var previous = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
        try
        {
            var table = SmallTable();
            table.Decimals = 2;
            table.ToMarkdown().Should().Contain("| Teacher | 86.14 ± 0.52 | 68.20 |");
            table.ToCsv().Should().Contain("86.14,0.52");
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }

    [Fact]
    public void WritersCreateTheFolderAndWriteTheSameBytesTwice()
    {
        using var folder = new TempFolder();
        var table = SmallTable();
        foreach (var extension in new[] { "md", "csv", "json", "txt" })
        {
            var first = folder.File("a", "b", $"results.{extension}");
            var second = folder.File("c", $"results.{extension}");
            table.Write(first);
            SmallTable().Write(second);

            File.ReadAllBytes(first).Should().Equal(File.ReadAllBytes(second), $"the .{extension} output is deterministic");
            File.ReadAllBytes(first).Take(3).Should().NotEqual(new byte[] { 0xEF, 0xBB, 0xBF }, "files have no byte-order mark");
        }

        File.ReadAllText(folder.File("a", "b", "results.md")).Should().Be(table.ToMarkdown());
        table.WriteCsv(folder.File("d", "explicit.csv"));
        File.ReadAllText(folder.File("d", "explicit.csv")).Should().Be(table.ToCsv());
    }

    [Fact]
    public void Each_explicit_writer_writes_its_format_whatever_the_extension()
    {
        using var folder = new TempFolder();
        var table = SmallTable();

        table.WriteMarkdown(folder.File("e", "markdown.out"));
        table.WriteJson(folder.File("e", "json.out"));
        table.WriteText(folder.File("e", "text.out"));

        File.ReadAllText(folder.File("e", "markdown.out")).Should().Be(table.ToMarkdown());
        File.ReadAllText(folder.File("e", "json.out")).Should().Be(table.ToJson());
        File.ReadAllText(folder.File("e", "text.out")).Should().Be(table.ToText());
        new[] { table.ToMarkdown(), table.ToJson(), table.ToText() }.Should().OnlyHaveUniqueItems("the three formats differ, so a writer wired to another format fails above");
    }

    [Fact]
    public void Cells_are_equal_when_their_mean_and_std_are_and_refuse_a_std_that_is_negative_or_not_finite()
    {
        var cell = new ResultCell(86.1, 0.5);

        (cell == new ResultCell(86.1, 0.5)).Should().BeTrue();
        (cell != new ResultCell(86.1)).Should().BeTrue("a cell without a std is another cell");
        (cell != new ResultCell(86.2, 0.5)).Should().BeTrue();
        cell.GetHashCode().Should().Be(new ResultCell(86.1, 0.5).GetHashCode());
        cell.Equals((object)new ResultCell(86.1, 0.5)).Should().BeTrue();
        foreach (var std in new[] { -0.1, double.NaN, double.PositiveInfinity })
        {
            FluentActions.Invoking(() => new ResultCell(86.1, std)).Should().Throw<ArgumentOutOfRangeException>()
                .WithMessage("A standard deviation must be finite and ≥ 0, or null.*").Which.ParamName.Should().Be("std");
        }
    }

    [Fact]
    public void BadInputsGiveClearErrors()
    {
        var noColumns = () => new ResultsTable([]);
        noColumns.Should().Throw<ArgumentException>().WithMessage("*at least one column*");

        var repeated = () => new ResultsTable(["MRPC", "MRPC"]);
        repeated.Should().Throw<ArgumentException>().WithMessage("*'MRPC'*repeated*");

        var table = SmallTable();
        var unknown = () => table.AddRow("MoE").Set("CoLA", 50);
        unknown.Should().Throw<ArgumentException>().WithMessage("*no column 'CoLA'*MRPC, RTE*");

        var notFinite = () => table.AddRow("MoE").Set("RTE", double.NaN);
        notFinite.Should().Throw<ArgumentOutOfRangeException>();

        var decimals = () => table.Decimals = 7;
        decimals.Should().Throw<ArgumentOutOfRangeException>();

        var extension = () => table.Write("results.xlsx");
        extension.Should().Throw<ArgumentException>().WithMessage("*.md, .csv, .json or .txt*");
    }

    [Fact]
    public void RowsExposeTheirCells()
    {
        var teacher = SmallTable().Rows[0];

        teacher["MRPC"].Should().Be(new ResultCell(86.14, 0.52));
        teacher.Clear("MRPC")["MRPC"].Should().BeNull();
    }
}
