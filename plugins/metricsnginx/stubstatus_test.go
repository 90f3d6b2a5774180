package metricsnginx

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseStubStatusRealBodies(t *testing.T) {
	tests := []struct {
		file string
		want StubStatus
	}{
		{
			// Captured from nginx 1.22.1 (Debian), trailing spaces included.
			file: "testdata/nginx-1.22.1.txt",
			want: StubStatus{Active: 1, Accepts: 4, Handled: 4, Requests: 4, Writing: 1},
		},
		{
			file: "testdata/tengine.txt",
			want: StubStatus{Active: 7, Accepts: 1200, Handled: 1198, Requests: 5031,
				Reading: 1, Writing: 2, Waiting: 4, RequestTime: 98765, HasRequestTime: true},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			body, err := os.ReadFile(tt.file)
			require.NoError(t, err)
			got, err := ParseStubStatus(body)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestParseStubStatusAcceptsLayoutVariants(t *testing.T) {
	bodies := map[string]string{
		"no trailing spaces": "Active connections: 3\nserver accepts handled requests\n 10 9 40\nReading: 0 Writing: 1 Waiting: 2\n",
		"CRLF line ends":     "Active connections: 3 \r\nserver accepts handled requests\r\n 10 9 40 \r\nReading: 0 Writing: 1 Waiting: 2 \r\n",
		"blank lines after":  "Active connections: 3 \nserver accepts handled requests\n 10 9 40 \nReading: 0 Writing: 1 Waiting: 2 \n\n  \n",
	}
	want := StubStatus{Active: 3, Accepts: 10, Handled: 9, Requests: 40, Writing: 1, Waiting: 2}
	for name, body := range bodies {
		t.Run(name, func(t *testing.T) {
			got, err := ParseStubStatus([]byte(body))
			require.NoError(t, err)
			assert.Equal(t, want, got)
		})
	}
}

func TestParseStubStatusLargestCounters(t *testing.T) {
	body := "Active connections: 0 \nserver accepts handled requests\n 18446744073709551615 18446744073709551615 18446744073709551615 \nReading: 0 Writing: 0 Waiting: 0 \n"
	got, err := ParseStubStatus([]byte(body))
	require.NoError(t, err)
	assert.Equal(t, uint64(1<<64-1), got.Requests)
}

// Every way a body can fail names the line and what was expected there.
func TestParseStubStatusRejects(t *testing.T) {
	const good = "Active connections: 291 \nserver accepts handled requests\n 16630948 16630948 31070465 \nReading: 6 Writing: 179 Waiting: 106 \n"
	tests := []struct {
		name, body, wantErr string
	}{
		{"empty body", "",
			"not stub_status output: empty body"},
		{"HTML error page", "<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n",
			`not stub_status output: line 1: want "Active connections: N", got "<html>"`},
		{"JSON", `{"connections":{"active":1}}` + "\n",
			`not stub_status output: line 1: want "Active connections: N", got "{\"connections\":{\"active\":1}}"`},
		{"negative active", strings.Replace(good, "291", "-1", 1),
			`not stub_status output: line 1: want "Active connections: N", got "Active connections: -1"`},
		{"active not a number", strings.Replace(good, "291", "many", 1),
			`not stub_status output: line 1: want "Active connections: N", got "Active connections: many"`},
		{"active overflows uint64", strings.Replace(good, "291", "18446744073709551616", 1),
			`not stub_status output: line 1: want "Active connections: N", got "Active connections: 18446744073709551616"`},
		{"wrong header", strings.Replace(good, "handled requests", "handled", 1),
			`not stub_status output: line 2: want "server accepts handled requests", got "server accepts handled"`},
		{"two counters", strings.Replace(good, " 16630948 31070465", " 31070465", 1),
			`not stub_status output: line 3: want " N N N", got " 16630948 31070465"`},
		{"four counters under the nginx header", strings.Replace(good, "31070465 ", "31070465 7 ", 1),
			`not stub_status output: line 3: want " N N N", got " 16630948 16630948 31070465 7"`},
		{"three counters under the Tengine header", strings.Replace(good, "requests\n", "requests request_time\n", 1),
			`not stub_status output: line 3: want " N N N N", got " 16630948 16630948 31070465"`},
		{"counter with a sign", strings.Replace(good, " 16630948 ", " +16630948 ", 1),
			`not stub_status output: line 3: want " N N N", got " +16630948 16630948 31070465"`},
		{"states out of order", strings.Replace(good, "Reading: 6 Writing: 179", "Writing: 179 Reading: 6", 1),
			`not stub_status output: line 4: want "Reading: N Writing: N Waiting: N", got "Writing: 179 Reading: 6 Waiting: 106"`},
		{"state missing", strings.Replace(good, " Waiting: 106", "", 1),
			`not stub_status output: line 4: want "Reading: N Writing: N Waiting: N", got "Reading: 6 Writing: 179"`},
		{"text after the page", good + "Served by: edge-1\n",
			`not stub_status output: line 5: want "end of body", got "Served by: edge-1"`},
		{"text after the page without a line end", good + "</pre>",
			`not stub_status output: line 5: want "end of body", got "</pre>"`},
		{"cut after line 1", "Active connections: 291 \n",
			`not stub_status output: body ends before line 2, want "server accepts handled requests"`},
		{"cut inside line 3", "Active connections: 291 \nserver accepts handled requests\n 16630948 1663",
			`not stub_status output: body ends inside line 3 (" 16630948 1663" has no line end), want " N N N"`},
		{"cut inside the last number", "Active connections: 291 \nserver accepts handled requests\n 16630948 16630948 31070465 \nReading: 6 Writing: 179 Waiting: 10",
			`not stub_status output: body ends inside line 4 ("Reading: 6 Writing: 179 Waiting: 10" has no line end), want "Reading: N Writing: N Waiting: N"`},
		{"long line is shortened", strings.Repeat("é", 100) + "\n",
			`not stub_status output: line 1: want "Active connections: N", got "` + strings.Repeat("é", 30) + `…"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseStubStatus([]byte(tt.body))
			require.Error(t, err)
			assert.Equal(t, tt.wantErr, err.Error())
			assert.Equal(t, StubStatus{}, got, "a failed parse returns no partial values")
			var pe *ParseError
			if !errors.As(err, &pe) {
				assert.ErrorIs(t, err, ErrEmptyBody)
			}
		})
	}
}

func ExampleParseStubStatus() {
	body := []byte("Active connections: 291 \n" +
		"server accepts handled requests\n" +
		" 16630948 16630948 31070465 \n" +
		"Reading: 6 Writing: 179 Waiting: 106 \n")
	st, err := ParseStubStatus(body)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(st.Active, st.Requests, st.Waiting)

	_, err = ParseStubStatus([]byte("<html><body>502 Bad Gateway</body></html>\n"))
	fmt.Println(err)
	// Output:
	// 291 31070465 106
	// not stub_status output: line 1: want "Active connections: N", got "<html><body>502 Bad Gateway</body></html>"
}

// FuzzParseStubStatus: no input panics; a failure returns the zero value;
// a success describes the page exactly, so nginx's rendering of the values
// parses back to the same values.
func FuzzParseStubStatus(f *testing.F) {
	for _, file := range []string{"testdata/nginx-1.22.1.txt", "testdata/tengine.txt"} {
		body, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(body)
	}
	f.Add([]byte("<html>\n"))
	f.Fuzz(func(t *testing.T, body []byte) {
		st, err := ParseStubStatus(body)
		if err != nil {
			if st != (StubStatus{}) {
				t.Fatalf("error %v with values %+v", err, st)
			}
			return
		}
		header, counters := "server accepts handled requests", fmt.Sprintf(" %d %d %d ", st.Accepts, st.Handled, st.Requests)
		if st.HasRequestTime {
			header += " request_time"
			counters += fmt.Sprintf("%d ", st.RequestTime)
		}
		again, err := ParseStubStatus([]byte(fmt.Sprintf("Active connections: %d \n%s\n%s\nReading: %d Writing: %d Waiting: %d \n",
			st.Active, header, counters, st.Reading, st.Writing, st.Waiting)))
		if err != nil || again != st {
			t.Fatalf("%+v rendered and parsed again: %+v, %v", st, again, err)
		}
	})
}

func BenchmarkParseStubStatus(b *testing.B) {
	body, err := os.ReadFile("testdata/nginx-1.22.1.txt")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseStubStatus(body); err != nil {
			b.Fatal(err)
		}
	}
}
