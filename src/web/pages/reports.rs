//! Reports: the CoC follow-up rate worksheet (all cases since the reference date, and the last five
//! years) with each figure a drill-down to its patients, and the rate by year of diagnosis as a
//! chart drawn by the server (SVG, no script).

use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::api::state::AppState;
use crate::model::{PatientMatch, WorksheetData};
use crate::service::reports::{self, FigureQuery, Population};
use crate::service::{PageRequest, ServiceError};
use crate::web::session::SignedIn;
use crate::web::{Nav, WebError, db};

/// One bar of the chart, in the SVG's own units.
pub struct Bar {
    pub x: u32,
    pub y: u32,
    pub height: u32,
    pub year: i32,
    pub percent: String,
}

/// The chart: bars of the follow-up rate per diagnosis year, and the target line.
pub struct Chart {
    pub width: u32,
    pub bars: Vec<Bar>,
    pub target_y: u32,
    pub target: u8,
}

const PLOT_TOP: u32 = 20;
const PLOT_HEIGHT: u32 = 200;
const BAR_STEP: u32 = 44;

fn chart(sheet: &WorksheetData) -> Chart {
    let bars = sheet
        .years
        .iter()
        .enumerate()
        .map(|(i, y)| {
            let rate = y.follow_up_rate.unwrap_or(0.0).clamp(0.0, 1.0);
            let height = (rate * f64::from(PLOT_HEIGHT)).round() as u32;
            Bar {
                x: 50 + i as u32 * BAR_STEP,
                y: PLOT_TOP + PLOT_HEIGHT - height,
                height,
                year: y.year,
                percent: y.follow_up_rate.map_or("–".into(), |r| format!("{:.0}%", r * 100.0)),
            }
        })
        .collect::<Vec<_>>();
    let target = sheet.target_percent;
    Chart {
        width: 60 + bars.len() as u32 * BAR_STEP,
        target_y: PLOT_TOP + PLOT_HEIGHT - u32::from(target) * PLOT_HEIGHT / 100,
        target,
        bars,
    }
}

fn percent(v: &Option<f64>) -> String {
    v.map_or("–".into(), |r| format!("{:.1}%", r * 100.0))
}

#[derive(Template)]
#[template(path = "reports.html", config = "src/web/askama.toml")]
struct ReportsPage {
    nav: Nav,
    as_of: String,
    sheets: Vec<(&'static str, &'static str, WorksheetData, String, String)>,
    chart: Chart,
}

pub async fn page(state: web::Data<AppState>, signed: SignedIn) -> Result<HttpResponse, WebError> {
    let (actor, cfg, today) = (signed.actor.clone(), state.followup.clone(), state.clock.today());
    let report = db(&state, move |c| reports::followup_rate(c, &actor, &cfg, today, None)).await?;
    let chart = chart(&report.all_since_reference);
    let sheet = |key, title, s: WorksheetData| {
        let (rate, lost) = (percent(&s.follow_up_rate), percent(&s.lost_rate));
        (key, title, s, rate, lost)
    };
    let page = ReportsPage {
        nav: Nav::new(&signed, "reports"),
        as_of: report.as_of.to_string(),
        chart,
        sheets: vec![
            sheet("all", "All analytic cases since the reference date", report.all_since_reference),
            sheet("recent", "Cases diagnosed in the last five years", report.last_five_years),
        ],
    };
    crate::web::page(&page)
}

#[derive(Template)]
#[template(path = "report_patients.html", config = "src/web/askama.toml")]
struct FigurePage {
    nav: Nav,
    line: String,
    year: Option<i32>,
    found: Vec<PatientMatch>,
    more: bool,
}

#[derive(Deserialize)]
pub struct FigureParams {
    #[serde(default)]
    population: String,
    #[serde(default)]
    line: String,
    #[serde(default)]
    year: Option<i32>,
}

/// The patients behind one figure of the worksheet.
pub async fn patients(
    state: web::Data<AppState>,
    signed: SignedIn,
    q: web::Query<FigureParams>,
) -> Result<HttpResponse, WebError> {
    let q = q.into_inner();
    let population = Population::parse(&q.population).ok_or(WebError::NotFound("figure"))?;
    let query = FigureQuery {
        as_of: state.clock.today(),
        facility: None,
        population,
        line: q.line.clone(),
        year: q.year,
    };
    let (actor, cfg) = (signed.actor.clone(), state.followup.clone());
    let page = PageRequest { cursor: None, limit: Some(500) };
    let found =
        match db(&state, move |c| reports::patients_behind(c, &actor, &cfg, &query, &page)).await {
            Ok(found) => found,
            Err(ServiceError::Invalid(_)) => return Err(WebError::NotFound("figure")),
            Err(e) => return Err(e.into()),
        };
    crate::web::page(&FigurePage {
        nav: Nav::new(&signed, "reports"),
        line: q.line,
        year: q.year,
        more: found.next_cursor.is_some(),
        found: found.items,
    })
}
